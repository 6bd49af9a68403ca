// `REPLICAS=2 make run` as a user runs it: its own local control plane, two operator processes
// on the base ports and the base ports + 100, their PIDs in replica-k.pid, a startup screen
// listing both, and a SIGKILLed replica restarted under a new PID (the pid file rewritten).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../test/support/cluster.ts';
import { REPO_ROOT } from './controlplane/install.ts';

/** A base port whose +100 and +200 neighbours (intake, health, metrics bases apart) are free too. */
async function freeBase(): Promise<number> {
  const bindable = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [0, 1, 2, 100, 101, 102].map((o) => base + o);
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) return base;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('REPLICAS=2 make run', () => {
  it('runs two replicas on their ports, lists them, and restarts one that is SIGKILLed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubernaut-run-local-'));
    const base = await freeBase();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REPLICAS: '2',
      KUBERNAUT_LOCAL_DIR: dir,
      INTAKE_PORT: String(base),
      HEALTH_PORT: String(base + 1),
      METRICS_PORT: String(base + 2),
      POD_NAMESPACE: 'kubernaut-system',
      LOG_LEVEL: 'warn',
    };
    delete env.KUBECONFIG;
    let out = '';
    const run = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(REPO_ROOT, 'e2e', 'controlplane', 'run-local.ts')],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    run.stdout.on('data', (c: Buffer) => (out += c.toString()));
    run.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => run.on('exit', (code) => resolve(code)));
    try {
      await eventually(
        'the startup screen',
        async () => (out.includes('operator is ready') ? true : undefined),
        90_000,
        200,
      );
      for (const k of [0, 1]) {
        expect(out).toContain(`replica-${k}`);
        expect(out).toContain(`http://127.0.0.1:${base + 100 * k}`);
        const ready = await fetch(`http://127.0.0.1:${base + 1 + 100 * k}/readyz`);
        expect(ready.status).toBe(200);
        const metrics = await fetch(`http://127.0.0.1:${base + 2 + 100 * k}/metrics`);
        expect(metrics.status).toBe(200);
      }
      const pidFile = join(dir, 'replica-1.pid');
      const before = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(before)).toBe(true);
      process.kill(before, 'SIGKILL');
      const after = await eventually(
        'replica-1 restarted with a new pid',
        async () => {
          const pid = Number(readFileSync(pidFile, 'utf8'));
          return pid !== before && alive(pid) ? pid : undefined;
        },
        30_000,
        100,
      );
      await eventually(
        'replica-1 ready again',
        async () =>
          (await fetch(`http://127.0.0.1:${base + 101}/readyz`).catch(() => undefined))?.ok
            ? true
            : undefined,
        60_000,
        200,
      );
      expect(out).toMatch(/replica-1 \(pid \d+\) exited \(SIGKILL\)/);
      expect(out).toContain(`replica-1 restarted as pid ${after}`);
      // The other replica was left alone.
      expect(alive(Number(readFileSync(join(dir, 'replica-0.pid'), 'utf8')))).toBe(true);
    } finally {
      run.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(existsSync(join(dir, 'replica-0.pid'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
