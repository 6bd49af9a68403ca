// Stops the control plane started by integration-setup.ts. Logs are kept when tests failed.
export default async function teardown(_globalConfig: unknown, _projectConfig: unknown): Promise<void> {
  const cp = globalThis.__kubernautControlPlane;
  if (!cp) return;
  const keepLogs = process.exitCode !== undefined && process.exitCode !== 0;
  await cp.stop({ keepLogs });
  globalThis.__kubernautControlPlane = undefined;
}
