import { ConfigError } from './configError.ts';
import { loadConfig } from './load.ts';
import { loadConfigIsolated } from './loadIsolated.ts';

describe('loadConfigIsolated (a worker thread)', () => {
  it('returns what loadConfig returns', async () => {
    const env = { POD_NAME: 'p-0', POD_NAMESPACE: 'ns', INTAKE_PORT: '9999', STORM_BUFFER_SECONDS: '0' };
    await expect(loadConfigIsolated(env)).resolves.toEqual(loadConfig(env));
  });

  it('fails with a ConfigError that lists the problems', async () => {
    const failed = loadConfigIsolated({ POD_NAME: 'p-0', INTAKE_PORT: 'abc' });
    await expect(failed).rejects.toBeInstanceOf(ConfigError);
    await expect(failed).rejects.toThrow(/intake\.port: must be a whole number/);
  });
});
