import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, recordingServer } from '../../test/support/recordingServer.ts';
import type { RecordingServer } from '../../test/support/recordingServer.ts';
import { KubeClient } from './client.ts';
import { UserCredentials } from './credentials.ts';
import { inCluster } from './kubeconfig.ts';
import type { ClusterConfig } from './kubeconfig.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'creds-'));
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('UserCredentials', () => {
  it('presents client certificate and key from -data fields', async () => {
    const c = new UserCredentials({ clientCertificateData: b64('CERT'), clientKeyData: b64('KEY') });
    expect(await c.current()).toEqual({ cert: 'CERT', key: 'KEY', authorization: undefined });
    expect(c.invalidate()).toBe(false);
  });

  it('reads client certificate and key files', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.crt'), 'CERT-FILE');
    writeFileSync(join(dir, 'c.key'), 'KEY-FILE');
    const c = new UserCredentials({ clientCertificate: join(dir, 'c.crt'), clientKey: join(dir, 'c.key') });
    const state = await c.current();
    expect([state.cert, state.key]).toEqual(['CERT-FILE', 'KEY-FILE']);
    // the same objects every time: the connection pool is keyed on them
    expect(await c.current()).toBe(state);
  });

  it('refuses a certificate without its key', () => {
    expect(() => new UserCredentials({ clientCertificateData: b64('CERT') })).toThrow('without a key');
  });

  it('sends a static token, or basic auth when there is none', async () => {
    expect((await new UserCredentials({ token: 'abc' }).current()).authorization).toBe('Bearer abc');
    const basic = await new UserCredentials({ username: 'admin', password: 's3cret' }).current();
    expect(basic.authorization).toBe(`Basic ${b64('admin:s3cret')}`);
  });

  it('re-reads a tokenFile once the interval has passed, and at once after a 401', async () => {
    const dir = tmp();
    const file = join(dir, 'token');
    writeFileSync(file, 'one\n');
    let now = 1_000;
    const c = new UserCredentials(
      { token: 'inline', tokenFile: file },
      { now: () => now, tokenFileRereadMs: 60_000 },
    );
    expect((await c.current()).authorization).toBe('Bearer one'); // the file wins over an inline token
    writeFileSync(file, 'two\n');
    now += 59_999;
    expect((await c.current()).authorization).toBe('Bearer one');
    now += 1;
    expect((await c.current()).authorization).toBe('Bearer two');
    writeFileSync(file, 'three\n');
    expect(c.invalidate()).toBe(true);
    expect((await c.current()).authorization).toBe('Bearer three');
  });
});

describe('in-cluster token rotation through real requests', () => {
  let server: RecordingServer;
  beforeEach(async () => (server = await recordingServer()));
  afterEach(() => server.close());

  function podConfig(now: () => number): { cfg: ClusterConfig; tokenFile: string } {
    const sa = tmp();
    const tokenFile = join(sa, 'token');
    writeFileSync(tokenFile, 'token-1');
    const cfg = inCluster({ KUBERNETES_SERVICE_HOST: 'ignored' }, sa, { now, tokenFileRereadMs: 60_000 });
    return { cfg: { ...cfg, server: server.url }, tokenFile };
  }

  it('uses the rotated token after the re-read interval', async () => {
    let now = 0;
    const { cfg, tokenFile } = podConfig(() => now);
    const kube = new KubeClient(cfg);
    server.handle((_r, res) => json(res, 200, { metadata: { name: 'ns' } }));
    await kube.readNamespace('ns');
    writeFileSync(tokenFile, 'token-2');
    now += 30_000;
    await kube.readNamespace('ns');
    now += 30_000;
    await kube.readNamespace('ns');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('re-reads the token file and retries once when the API server answers 401', async () => {
    const { cfg, tokenFile } = podConfig(() => 0);
    const kube = new KubeClient(cfg);
    server.handle((r, res) =>
      r.headers.authorization === 'Bearer token-2'
        ? json(res, 200, { metadata: { name: 'ns' } })
        : json(res, 401, { kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }),
    );
    writeFileSync(tokenFile, 'token-1');
    await expect(kube.readNamespace('ns')).rejects.toMatchObject({ kind: 'unauthorized', code: 401 });
    writeFileSync(tokenFile, 'token-2');
    await expect(kube.readNamespace('ns')).resolves.toEqual({ metadata: { name: 'ns' } });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1', // the retry after the first 401 re-read the same file
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });
});
