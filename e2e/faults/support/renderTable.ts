// The reliability table (docs/reliability.md) from stored scenario results: one row per scenario
// in scenario order, cells escaped for Markdown tables.
import type { ScenarioResult } from './results.ts';

export type StoredResult = ScenarioResult & { long: boolean; at: string };

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderReliability(input: StoredResult[]): string {
  if (input.length === 0) throw new Error('no scenario results: run make e2e-long first');
  const results = [...input].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const times = results.map((r) => r.at).sort();
  const last = times[times.length - 1]!;
  // A scenario re-run alone (FAULTS_RESULTS_DIR kept) leaves the others' older results in place.
  const span = times[0] === last ? '' : `; the oldest result in the table is from ${times[0]}`;
  const rows = results.map(
    (r) =>
      `| ${cell(r.scenario)} | ${cell(r.load)} | ${cell(r.faults)} | ${r.passed ? 'pass' : '**FAIL**'}: ${cell(r.result)} | ${cell(r.figure)} |`,
  );
  return `# Reliability

Every reliability claim in the README comes from a scenario of the fault suite (\`e2e/faults/\`),
which drives the fault against the product as a black box: real operator processes (supervised
like \`REPLICAS=N make run\`), the real kube-apiserver, real SIGKILLs, Toxiproxy, real Alertmanagers
and Prometheus. \`make test\` runs every scenario at a short size; \`make e2e-long\` runs the full
sizes, writes \`e2e/faults/results/*.json\` and regenerates this page (do not edit the table by hand:
\`node e2e/faults/render-reliability.ts\`).

Last run: ${last} (${results.every((r) => r.long) ? 'full sizes, `make e2e-long`' : 'includes short-size results'}${span}).

| scenario | load | faults injected | result | figure |
|---|---|---|---|---|
${rows.join('\n')}

Scenario 8 (memory limit: the chart's heap settings under the largest accepted batches) is
\`e2e/memoryLimit.int.test.ts\` (its own pass/fail and figures, in the test output); \`make e2e-long\`
runs it after the fault suite.

Sizes are set by environment variables (\`FAULTS_CRASH_FIRINGS\`, \`FAULTS_FUZZ_CASES\`,
\`FAULTS_RESTART_DOWN_MS\`, ...; see \`e2e/faults/support/sizes.ts\` and each scenario's head). Every
figure in \`e2e/faults/results/\` has more detail (status codes per category, retries, RSS samples).

## Against a cluster (kind)

The suite treats the product as a black box. Given intake URLs it runs against a deployment
instead of local processes:

\`\`\`sh
FAULTS_INTAKE_URLS=http://127.0.0.1:8080,http://127.0.0.1:8180 \\
FAULTS_HEALTH_URLS=http://127.0.0.1:8081,http://127.0.0.1:8181 \\
FAULTS_METRICS_URLS=http://127.0.0.1:9090,http://127.0.0.1:9190 \\
FAULTS_KUBECONFIG=$HOME/.kube/config FAULTS_NAMESPACE=kubernaut-system \\
FAULTS_TOKEN=$(kubectl -n monitoring create token alertmanager --audience kubernaut-intake) \\
FAULTS_KILL_CMD='kubectl -n kubernaut-system delete pod kubernaut-intake-{k} --grace-period=0 --force' \\
node --experimental-vm-modules node_modules/jest/bin/jest.js \\
  e2e/faults/exactlyOnce e2e/faults/hostileInput e2e/faults/alertmanagerHA e2e/faults/stormThrough \\
  --selectProjects integration
\`\`\`

(one port-forward per pod). The API-server scenarios (2, 3) need to own the API server and its
network path, so they run against the local control plane only.
`;
}
