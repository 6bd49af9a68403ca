// gateway_signals_received_total{source,severity} stays bounded whatever senders put in an
// alert's severity or an Event's reporting component: known values keep their own series,
// anything else is counted as `other` (the RR keeps the real value).
import { randomBytes } from 'node:crypto';
import { adminClient, freshNamespace } from '../test/support/cluster.ts';
import {
  K8S_EVENT,
  PROMETHEUS,
  alert,
  alertmanagerPayload,
  post,
  startOperator,
} from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

describe('bounded metric label values', () => {
  let ns: string;
  let op: RunningOperator;

  beforeAll(async () => {
    ns = await freshNamespace('labels');
    op = await startOperator(ns);
  });
  afterAll(() => op.stop());

  it('counts free-text severities and sources as other', async () => {
    const severities = Array.from({ length: 30 }, () => `sev-${randomBytes(4).toString('hex')}`);
    const alerts = severities.map((severity, i) => alert({ namespace: `free-${i}`, pod: 'p', severity }));
    alerts.push(alert({ namespace: 'free', pod: 'known', severity: 'Warning' }));
    const batch = await post(op.endpoints.intake + PROMETHEUS, alertmanagerPayload(alerts));
    expect([207, 201]).toContain(batch.status);
    for (let i = 0; i < 10; i++) {
      const reply = await post(op.endpoints.intake + K8S_EVENT, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `ev-${i}`, namespace: `ev-${i}` },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: `ev-pod-${i}`, namespace: `ev-${i}` },
        reason: 'BackOff',
        type: 'Warning',
        message: 'back-off',
        source: { component: `reporter-${randomBytes(4).toString('hex')}` },
        count: 1,
      });
      expect(reply.status).toBeLessThan(300);
    }
    const text = await (await fetch(op.endpoints.metrics + '/metrics')).text();
    const series = text.split('\n').filter((l) => l.startsWith('gateway_signals_received_total{'));
    expect(series.length).toBeLessThanOrEqual(4);
    const value = (labels: string) =>
      Number(series.find((l) => l.startsWith(`gateway_signals_received_total{${labels}}`))?.split(' ')[1]);
    expect(value('source="alertmanager",severity="other"')).toBe(30);
    expect(value('source="alertmanager",severity="warning"')).toBe(1);
    expect(value('source="other",severity="warning"')).toBe(10);
    const stored = (await adminClient().listRRs(ns)).items.map((rr) => rr.spec.severity);
    expect(stored).toEqual(expect.arrayContaining(severities.slice(0, 3)));
  });
});
