// The per-process bound on Kubernetes API calls, on a real API server: with one slot and almost
// no wait, a burst of new fingerprints makes calls give up waiting; those signals get 503 with
// Retry-After naming the bound, and every 2xx is stored.
import { adminClient, freshNamespace } from '../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

describe('bounded concurrent Kubernetes API calls', () => {
  let ns: string;
  let op: RunningOperator;

  beforeAll(async () => {
    ns = await freshNamespace('apislots');
    op = await startOperator(ns, { kube: { maxConcurrentRequests: 1, maxWaitMs: 1 } });
  });
  afterAll(() => op.stop());

  it('answers 503 when no API slot frees in time, and stores every 2xx', async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(
          op.endpoints.intake + PROMETHEUS,
          alertmanagerPayload([alert({ namespace: `slots-${i}`, pod: 'p' })]),
        ),
      ),
    );
    const throttled = replies.filter((r) => r.status === 503);
    expect(throttled.length).toBeGreaterThan(0);
    for (const r of throttled) {
      expect(r.headers.get('retry-after')).toBe('5');
      expect(String(r.body.detail)).toMatch(
        /too many concurrent Kubernetes API calls: no slot of 1 free within 1 ms/,
      );
    }
    const created = replies
      .filter((r) => r.status === 201)
      .map((r) => r.body.remediationRequestName as string);
    const stored = new Set((await adminClient().listRRs(ns)).items.map((rr) => rr.metadata.name));
    for (const name of created) expect(stored.has(name)).toBe(true);
    const text = await (await fetch(op.endpoints.metrics + '/metrics')).text();
    expect(Number(/^gateway_k8s_api_throttled_total (\S+)/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^gateway_k8s_api_waiting_requests 0$/m);
  });
});
