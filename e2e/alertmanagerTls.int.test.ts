// The Alertmanager stanza of docs/alertmanager.md, end to end: a real Alertmanager sends over
// HTTPS (tls_config.ca_file) with a ServiceAccount token minted for the intake's audience read
// from credentials_file; the intake (TLS and authentication on) files the RR.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyObjects, readManifests } from './controlplane/install.ts';
import { INTAKE_AUDIENCE, bindClusterRole, intakeToken } from './controlplane/identities.ts';
import { freePort } from './controlplane/ports.ts';
import { startGuarded, stopProcess } from './controlplane/processes.ts';
import type { ManagedProcess } from './controlplane/processes.ts';
import { adminClient, adminKubeConfig, eventually, freshNamespace } from '../test/support/cluster.ts';
import { PROMETHEUS, startOperator } from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';
import { TestPki } from '../test/support/tlsPki.ts';

describe('a real Alertmanager sending over TLS with an audience-bound token', () => {
  let op: RunningOperator;
  let am: ManagedProcess;

  afterAll(async () => {
    if (am) await stopProcess(am);
    await op?.stop();
  });

  it('delivers a firing alert that becomes an RR', async () => {
    const ns = await freshNamespace('amtls');
    const admin = adminKubeConfig();
    await applyObjects(
      admin,
      readManifests('rbac').filter((o) => o.metadata?.name === 'kubernaut-signal-source'),
    );
    const token = await intakeToken(admin, 'monitoring', `am-tls-${ns}`);
    await bindClusterRole(admin, 'kubernaut-signal-source', 'monitoring', `am-tls-${ns}`);
    const pki = new TestPki();
    const [cert, key] = [join(pki.dir, 'tls.crt'), join(pki.dir, 'tls.key')];
    pki.issue('kubernaut-intake', cert, key);
    op = await startOperator(ns, {
      intake: {
        auth: { enabled: true, audience: INTAKE_AUDIENCE },
        tls: { enabled: true, certFile: cert, keyFile: key },
      } as never,
    });
    expect(op.endpoints.intake).toMatch(/^https:/);

    writeFileSync(join(pki.dir, 'token'), token);
    writeFileSync(
      join(pki.dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: kubernaut',
        '  group_by: [alertname, namespace]',
        '  group_wait: 1s',
        '  group_interval: 1s',
        'receivers:',
        '  - name: kubernaut',
        '    webhook_configs:',
        `      - url: ${op.endpoints.intake}${PROMETHEUS}`,
        '        send_resolved: true',
        '        max_alerts: 0',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials_file: ${join(pki.dir, 'token')}`,
        '          tls_config:',
        `            ca_file: ${pki.caCert}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const amUrl = `http://127.0.0.1:${port}`;
    am = startGuarded(
      'alertmanager',
      'prometheus-alertmanager',
      [
        `--config.file=${join(pki.dir, 'alertmanager.yml')}`,
        `--storage.path=${join(pki.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      join(pki.dir, 'alertmanager.log'),
    );
    await eventually(
      'Alertmanager ready',
      async () => ((await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      30_000,
    );
    const labels = { alertname: 'TlsDelivered', severity: 'critical', namespace: 'shop', deployment: 'web' };
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels, annotations: { summary: 'over TLS' }, startsAt: new Date().toISOString() },
      ]),
    });
    expect(res.status).toBe(200);
    const kube = adminClient();
    const rr = await eventually(
      'the RR delivered over TLS',
      async () => (await kube.listRRs(ns)).items.find((r) => r.spec.signalName === 'TlsDelivered'),
      30_000,
    );
    expect(rr.spec.targetResource).toMatchObject({ kind: 'Deployment', name: 'web', namespace: 'shop' });
  });
});
