// Scenario 5, the whole chain hands-off: a real Prometheus (Debian's) scrapes every replica's
// /metrics; an alert rule that fires only once both replicas are scraped is sent to a real
// Alertmanager, which delivers it (with a bearer token from a credentials file) to the intake,
// which files an RR. The chart's alert rules (charts/kubernaut-intake/rules/, when present) must
// pass `promtool check rules` and load in the same Prometheus with every rule healthy.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../../test/support/cluster.ts';
import { PROMETHEUS } from '../../test/support/operator.ts';
import { REPO_ROOT } from '../controlplane/install.ts';
import { freePort } from '../controlplane/ports.ts';
import { startGuarded, stopProcess } from '../controlplane/processes.ts';
import type { ManagedProcess } from '../controlplane/processes.ts';
import { startAlertmanager } from './support/alertmanager.ts';
import type { RunningAlertmanager } from './support/alertmanager.ts';
import { rrsBySignal } from './support/observe.ts';
import { recordResult } from './support/results.ts';
import { startTarget } from './support/target.ts';
import type { Target } from './support/target.ts';

const CHART_RULES = join(REPO_ROOT, 'charts', 'kubernaut-intake', 'rules', 'kubernaut-intake.rules.yaml');
const REPLICAS = 2;

interface RuleGroup {
  name: string;
  file: string;
  rules: { name: string; health: string; lastError?: string }[];
}

describe('scenario 5: Prometheus -> Alertmanager -> intake, hands-off', () => {
  let target: Target;
  let am: RunningAlertmanager;
  let prom: ManagedProcess;
  let promUrl: string;
  const run = randomBytes(3).toString('hex');
  const alertname = `ChainBothScraped${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'faults-prometheus-'));
  const chartRules = existsSync(CHART_RULES);

  beforeAll(async () => {
    target = await startTarget({ replicas: REPLICAS, auth: true });
    am = await startAlertmanager({ webhookUrl: target.intakes[0]! + PROMETHEUS, token: target.token });
    const rules = {
      groups: [
        {
          name: 'chain',
          rules: [
            {
              alert: alertname,
              expr: `count(up{job="kubernaut-intake"} == 1) == ${REPLICAS}`,
              labels: { severity: 'warning', namespace: `shop-${run}`, deployment: 'chain' },
              annotations: { summary: 'every intake replica is scraped' },
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'chain.rules.yaml'), stringify(rules));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'chain.rules.yaml'), ...(chartRules ? [CHART_RULES] : [])],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(am.url).host] }] }] },
        scrape_configs: [
          {
            job_name: 'kubernaut-intake',
            static_configs: [{ targets: target.metrics.map((m) => new URL(m).host) }],
          },
        ],
      }),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = startGuarded(
      'prometheus',
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      join(dir, 'prometheus.log'),
    );
    await eventually(
      `Prometheus ready (log ${join(dir, 'prometheus.log')})`,
      async () => ((await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      250,
    );
  });
  afterAll(async () => {
    if (prom) await stopProcess(prom);
    await am?.stop();
    await target?.stop();
  });

  const query = async (q: string) => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data.result;
  };

  it('files an RR from a rule over scraped intake metrics, with no hand in between', async () => {
    const started = Date.now();
    const [rr] = await eventually(
      'the RR from the Prometheus rule',
      async () => {
        const found = await rrsBySignal(target.kube, target.namespace, alertname);
        return found.length > 0 ? found : undefined;
      },
      120_000,
      500,
    );
    const chainMs = Date.now() - started;
    const up = await query('up{job="kubernaut-intake"}');
    const created = await eventually('Prometheus to scrape the creation', async () => {
      const r = await query('sum(gateway_crds_created_total)');
      return Number(r[0]?.value[1] ?? 0) >= 1 ? Number(r[0]!.value[1]) : undefined;
    });

    let promtool = 'chart rules file not present on this branch';
    let chartGroups: RuleGroup[] = [];
    if (chartRules) {
      promtool = execFileSync('promtool', ['check', 'rules', CHART_RULES], { encoding: 'utf8' }).trim();
      chartGroups = await eventually(
        'the chart rules evaluated',
        async () => {
          const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
            data: { groups: RuleGroup[] };
          };
          const groups = res.data.groups.filter((g) => g.file === CHART_RULES);
          const evaluated =
            groups.length > 0 && groups.every((g) => g.rules.every((r) => r.health !== 'unknown'));
          return evaluated ? groups : undefined;
        },
        30_000,
        500,
      );
    }
    const chartRuleCount = chartGroups.reduce((n, g) => n + g.rules.length, 0);
    const unhealthy = chartGroups.flatMap((g) => g.rules).filter((r) => r.health === 'err');
    const passed =
      up.length === REPLICAS && up.every((s) => s.value[1] === '1') && created >= 1 && unhealthy.length === 0;
    recordResult({
      id: '5-prometheus-chain',
      scenario: 'Real Prometheus -> Alertmanager -> intake',
      load: `Prometheus scraping ${REPLICAS} replicas every 1 s; one rule firing once both are up`,
      faults: 'none (the whole chain, hands-off)',
      passed,
      result:
        `RR ${rr!.metadata.name} filed from the rule; ${up.length} targets up; ` +
        (chartRules
          ? `chart rules: ${chartRuleCount} loaded, ${unhealthy.length} unhealthy, promtool: ${promtool.split('\n').pop()}`
          : promtool),
      figure: `rule -> RR in ${(chainMs / 1000).toFixed(1)} s`,
      figures: {
        chainMs,
        targetsUp: up.length,
        crdsCreated: created,
        chartRules: chartRuleCount,
        unhealthyRules: unhealthy.length,
      },
    });
    expect(rr!.spec).toMatchObject({
      signalSource: 'alertmanager',
      targetResource: { kind: 'Deployment', name: 'chain' },
    });
    expect(up.map((s) => s.value[1])).toEqual(Array(REPLICAS).fill('1'));
    expect(created).toBeGreaterThanOrEqual(1);
    if (chartRules) {
      expect(promtool).toContain('SUCCESS');
      expect(chartRuleCount).toBeGreaterThan(0);
      expect(unhealthy).toEqual([]);
    }
  }, 300_000);
});
