import { json, recordingServer } from '../../test/support/recordingServer.ts';
import type { RecordingServer } from '../../test/support/recordingServer.ts';
import { KubeError } from './errors.ts';
import { API_REQUEST_TIMEOUT_MS } from './kubeconfig.ts';
import type { ClusterConfig } from './kubeconfig.ts';
import { Transport } from './transport.ts';
import { LineSplitter, openWatch } from './watch.ts';

describe('LineSplitter', () => {
  it('reassembles lines cut anywhere, also inside a UTF-8 character', () => {
    const text = '{"a":"één"}\n{"b":"€"}\r\n\n{"c":3}';
    const bytes = Buffer.from(text);
    for (let size = 1; size <= bytes.length; size++) {
      const lines: string[] = [];
      const s = new LineSplitter((l) => lines.push(l));
      for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size));
      s.end();
      expect(lines).toEqual(['{"a":"één"}', '{"b":"€"}', '{"c":3}']);
    }
  });
});

describe('openWatch', () => {
  let server: RecordingServer;
  let transport: Transport;
  beforeEach(async () => {
    server = await recordingServer();
    const cfg: ClusterConfig = {
      contextName: 't',
      server: server.url,
      insecureSkipTlsVerify: false,
      credentials: { current: () => Promise.resolve({ authorization: 'Bearer w' }), invalidate: () => false },
      requestTimeoutMs: API_REQUEST_TIMEOUT_MS,
    };
    transport = new Transport(cfg);
  });
  afterEach(async () => {
    await transport.close();
    await server.close();
  });

  function watchOnce(params = {}, inactivityMs?: number) {
    const events: [string, unknown][] = [];
    const dones: unknown[] = [];
    let resolveDone: () => void;
    const ended = new Promise<void>((r) => (resolveDone = r));
    const controller = openWatch(
      transport,
      '/apis/kubernaut.ai/v1alpha1/namespaces/n/remediationrequests',
      params,
      (type, obj) => events.push([type, obj]),
      (err) => {
        dones.push(err);
        resolveDone();
      },
      inactivityMs,
    );
    return { events, dones, ended, controller };
  }

  it('delivers events streamed in odd chunks, then ends cleanly exactly once', async () => {
    const lines = [1, 2, 3].map((i) =>
      JSON.stringify({ type: 'ADDED', object: { metadata: { name: `rr-${i}` } } }),
    );
    const stream = Buffer.from(lines.join('\n') + '\n');
    server.handle((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let i = 0;
      const tick = () => {
        if (i >= stream.length) return res.end();
        res.write(stream.subarray(i, i + 7));
        i += 7;
        setImmediate(tick);
      };
      tick();
    });
    const w = watchOnce({ resourceVersion: '5', allowWatchBookmarks: true, labelSelector: undefined });
    await w.ended;
    expect(w.events.map(([t, o]) => [t, (o as { metadata: { name: string } }).metadata.name])).toEqual([
      ['ADDED', 'rr-1'],
      ['ADDED', 'rr-2'],
      ['ADDED', 'rr-3'],
    ]);
    expect(w.dones).toEqual([null]);
    expect(server.requests[0]?.url).toBe(
      '/apis/kubernaut.ai/v1alpha1/namespaces/n/remediationrequests?resourceVersion=5&allowWatchBookmarks=true&watch=true',
    );
    expect(server.requests[0]?.headers.authorization).toBe('Bearer w');
  });

  it('ends with a KubeError carrying the status for a non-200 answer', async () => {
    server.handle((_r, res) =>
      json(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }),
    );
    const w = watchOnce();
    await w.ended;
    expect(w.dones).toHaveLength(1);
    expect(w.dones[0]).toBeInstanceOf(KubeError);
    expect(w.dones[0]).toMatchObject({ kind: 'gone', code: 410, message: 'too old' });
    await new Promise((r) => setTimeout(r, 20));
    expect(w.dones).toHaveLength(1);
  });

  it('calls done once when aborted by the caller, and ends a silent watch with a TimeoutError', async () => {
    server.handle((_r, res) => {
      res.writeHead(200);
      res.write('');
    });
    const aborted = watchOnce();
    (await aborted.controller).abort();
    await aborted.ended;
    expect(aborted.dones).toHaveLength(1);
    const silent = watchOnce({}, 50);
    await silent.ended;
    expect(silent.dones).toHaveLength(1);
    expect((silent.dones[0] as Error).name).toBe('TimeoutError');
  });

  it('ends with an error on a line that is not JSON instead of skipping an update', async () => {
    server.handle((_r, res) => {
      res.writeHead(200);
      res.end('{"type":"ADDED","object":{}}\n{broken\n');
    });
    const w = watchOnce();
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.dones).toHaveLength(1);
    expect(String(w.dones[0])).toContain('not JSON');
  });

  it('calls done once with the network error when the server is unreachable', async () => {
    await server.close();
    const w = watchOnce();
    await w.ended;
    expect(w.dones).toHaveLength(1);
    expect(w.dones[0]).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
