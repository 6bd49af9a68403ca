// The fault proxy itself, against the real API server: requests pass through it, a latency toxic
// delays them, a disabled proxy refuses them, and re-enabling restores the path.
import { CoreV1Api } from '@kubernetes/client-node';
import { controlPlaneInfo } from '../../test/support/cluster.ts';
import { Toxiproxy, kubeconfigServer, kubeconfigThrough } from '../../test/support/toxiproxy.ts';
import type { Proxy } from '../../test/support/toxiproxy.ts';
import { clientNodeConfig } from '../controlplane/clientNode.ts';

describe('Toxiproxy between a client and the API server', () => {
  let tp: Toxiproxy;
  let proxy: Proxy;
  let core: CoreV1Api;

  beforeAll(async () => {
    const info = controlPlaneInfo();
    tp = await Toxiproxy.start();
    proxy = await tp.proxy('apiserver', kubeconfigServer(info.kubeconfigPath));
    const path = kubeconfigThrough(proxy, info.kubeconfigPath);
    core = clientNodeConfig(path).makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await tp?.stop();
  });

  const get = () => core.readNamespace({ name: 'default' });

  it('passes requests, delays them with a latency toxic, and partitions when disabled', async () => {
    expect((await get()).metadata?.name).toBe('default');

    const slow = await proxy.addToxic({ type: 'latency', attributes: { latency: 700, jitter: 0 } });
    const started = performance.now();
    await get();
    expect(performance.now() - started).toBeGreaterThanOrEqual(650);
    await proxy.removeToxic(slow);

    await proxy.disable();
    await expect(get()).rejects.toThrow();
    await proxy.enable();
    expect((await get()).metadata?.name).toBe('default');
  });
});
