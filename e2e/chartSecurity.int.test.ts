// The chart's self-validation and its security options, with the built helm: values.schema.json
// (generated from the operator's ConfigSchema) makes `helm lint --strict` reject a misspelt
// config key; TLS (given Secret or cert-manager Certificate) and the NetworkPolicy render, and
// the Deployment and NetworkPolicy are accepted by the real API server (server-side apply).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { REPO_ROOT, applyObjects } from './controlplane/install.ts';
import { adminKubeConfig, freshNamespace } from '../test/support/cluster.ts';

const CHART = join(REPO_ROOT, 'charts/kubernaut-intake');

function helmBinary(): string {
  const out = execFileSync('bash', [join(REPO_ROOT, 'e2e/controlplane/build-helm.sh')], { encoding: 'utf8' });
  return out.trim().split('\n').pop()!;
}

describe('chart values schema and security options', () => {
  let helm: (...args: string[]) => { code: number; out: string };

  beforeAll(() => {
    const binary = helmBinary();
    const home = mkdtempSync(join(tmpdir(), 'helm-'));
    const env = { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home };
    helm = (...args) => {
      try {
        return { code: 0, out: execFileSync(binary, args, { env, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (err) {
        const e = err as { status: number; stdout: string; stderr: string };
        return { code: e.status, out: `${e.stdout}${e.stderr}` };
      }
    };
  });

  it('helm lint --strict passes the defaults and fails a misspelt config key, naming it', () => {
    expect(helm('lint', '--strict', CHART)).toMatchObject({ code: 0 });
    const bad = helm('lint', '--strict', CHART, '--set', 'config.intake.bodyLimt=1');
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("additional properties 'bodyLimt' not allowed");
    expect(helm('lint', '--strict', CHART, '--set', 'config.intake.port=0').code).not.toBe(0);
    expect(helm('lint', '--strict', CHART, '--set', 'networkPolicy.enabeld=true').code).not.toBe(0);
  });

  const render = (...sets: string[]) => {
    const r = helm('template', 'sec', CHART, '-n', 'sec', ...sets.flatMap((s) => ['--set', s]));
    expect(r).toMatchObject({ code: 0 });
    return parseAllDocuments(r.out)
      .map((d) => d.toJS() as KubernetesObject | null)
      .filter((o): o is KubernetesObject => Boolean(o));
  };
  const find = (objs: KubernetesObject[], kind: string) => objs.filter((o) => o.kind === kind);

  it('renders TLS from cert-manager: a Certificate for the Service names, mounted and switched on', () => {
    const objs = render(
      'tls.enabled=true',
      'tls.certManager.enabled=true',
      'tls.certManager.issuerRef.name=ca',
    );
    const [cert] = find(objs, 'Certificate') as (KubernetesObject & { spec: Record<string, unknown> })[];
    expect(cert!.spec).toMatchObject({
      secretName: 'sec-kubernaut-intake-tls',
      dnsNames: ['sec-kubernaut-intake.sec.svc', 'sec-kubernaut-intake.sec.svc.cluster.local'],
      issuerRef: { name: 'ca', kind: 'ClusterIssuer' },
    });
    const text = JSON.stringify(find(objs, 'Deployment')[0]);
    expect(text).toContain('"secretName":"sec-kubernaut-intake-tls"');
    expect(text).toContain('"name":"INTAKE_TLS_ENABLED","value":"true"');
    expect(text).toContain('"mountPath":"/etc/kubernaut-tls"');
    expect(find(render('tls.enabled=true', 'tls.secretName=mine'), 'Certificate')).toHaveLength(0);
  });

  it('applies the Deployment with TLS and the NetworkPolicy to the API server', async () => {
    const ns = await freshNamespace('chartsec');
    const objs = render(
      'tls.enabled=true',
      'tls.secretName=given',
      'networkPolicy.enabled=true',
      'networkPolicy.intakeFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=monitoring',
      'networkPolicy.metricsFrom[0].podSelector.matchLabels.app=prometheus',
    ).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns } }));
    const [policy] = find(objs, 'NetworkPolicy') as (KubernetesObject & { spec: { ingress: unknown[] } })[];
    expect(policy!.spec.ingress).toEqual([
      {
        ports: [{ port: 'intake', protocol: 'TCP' }],
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      },
      {
        ports: [{ port: 'metrics', protocol: 'TCP' }],
        from: [{ podSelector: { matchLabels: { app: 'prometheus' } } }],
      },
      { ports: [{ port: 'health', protocol: 'TCP' }] },
    ]);
    await applyObjects(adminKubeConfig(), [...find(objs, 'NetworkPolicy'), ...find(objs, 'Deployment')]);
  });
});
