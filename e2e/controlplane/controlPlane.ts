// A real kube-apiserver + etcd on loopback ports, envtest-style, with RBAC authorization,
// a serving certificate, an admin client certificate and service-account signing keys.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAdminKubeconfig } from './kubeconfig.ts';
import { createPki } from './pki.ts';
import type { Pki } from './pki.ts';
import { freePort } from './ports.ts';
import { makeStateDir, reapOrphans, recordPids, startGuarded, stopProcess } from './processes.ts';
import type { ManagedProcess } from './processes.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface ControlPlaneInfo {
  server: string;
  stateDir: string;
  kubeconfigPath: string;
  caCertPath: string;
  etcdLog: string;
  apiserverLog: string;
}

/** Returns the cache directory holding kube-apiserver and etcd, building them when missing. */
export function ensureBinaries(): string {
  const out = execFileSync('bash', [join(HERE, 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = out.trim().split('\n').pop();
  if (!dir) throw new Error('build.sh printed no cache directory');
  return dir;
}

export class LocalControlPlane {
  private binDir = '';
  private stateDir = '';
  private pki: Pki | undefined;
  private etcd: ManagedProcess | undefined;
  private apiserver: ManagedProcess | undefined;
  private etcdPort = 0;
  private apiPort = 0;

  get info(): ControlPlaneInfo {
    return {
      server: `https://127.0.0.1:${this.apiPort}`,
      stateDir: this.stateDir,
      kubeconfigPath: join(this.stateDir, 'admin.kubeconfig'),
      caCertPath: this.pki?.caCert ?? '',
      etcdLog: join(this.stateDir, 'etcd.log'),
      apiserverLog: join(this.stateDir, 'kube-apiserver.log'),
    };
  }

  async start(timeoutMs = 120_000): Promise<ControlPlaneInfo> {
    reapOrphans();
    this.binDir = ensureBinaries();
    this.stateDir = makeStateDir();
    this.pki = createPki(this.stateDir);
    [this.etcdPort, this.apiPort] = [await freePort(), await freePort()];
    const deadline = Date.now() + timeoutMs;
    try {
      await this.startEtcd(deadline);
      await this.startApiServer(deadline);
    } catch (err) {
      await this.stop({ keepLogs: true });
      throw new Error(`${(err as Error).message} (logs: ${this.info.etcdLog}, ${this.info.apiserverLog})`, {
        cause: err,
      });
    }
    writeAdminKubeconfig(this.info.kubeconfigPath, this.info, this.pki.adminCert, this.pki.adminKey);
    return this.info;
  }

  private async startEtcd(deadline: number): Promise<void> {
    const peerPort = await freePort();
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    this.etcd = startGuarded(
      'etcd',
      join(this.binDir, 'etcd'),
      [
        '--name=local',
        `--data-dir=${join(this.stateDir, 'etcd-data')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=local=${peer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      this.info.etcdLog,
    );
    this.recordPids();
    await waitFor('etcd', deadline, this.etcd, async () => {
      const res = await fetch(`${client}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    });
  }

  /** Starts (or restarts, on the same port and etcd) the kube-apiserver. */
  async startApiServer(deadline = Date.now() + 120_000): Promise<void> {
    const pki = this.pki!;
    this.apiserver = startGuarded(
      'kube-apiserver',
      join(this.binDir, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
        `--secure-port=${this.apiPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        `--service-account-issuer=https://127.0.0.1:${this.apiPort}/`,
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--disable-admission-plugins=ServiceAccount',
        `--cert-dir=${join(this.stateDir, 'apiserver-certs')}`,
        '--profiling=false',
        '--v=1',
      ],
      this.info.apiserverLog,
    );
    this.recordPids();
    await waitFor('kube-apiserver', deadline, this.apiserver, async () => {
      return (
        (await this.adminGet('/readyz')) === 200 &&
        (await this.adminGet('/api/v1/namespaces/default')) === 200
      );
    });
  }

  async stopApiServer(): Promise<void> {
    if (this.apiserver) await stopProcess(this.apiserver, 10_000);
    this.apiserver = undefined;
  }

  async stop(options: { keepLogs?: boolean } = {}): Promise<void> {
    await this.stopApiServer();
    if (this.etcd) await stopProcess(this.etcd);
    this.etcd = undefined;
    if (this.stateDir && !options.keepLogs) rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** GET with the admin certificate; resolves to the status code (0 when unreachable). */
  adminGet(path: string): Promise<number> {
    const pki = this.pki!;
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.apiPort,
          path,
          ca: readFileSync(pki.caCert),
          cert: readFileSync(pki.adminCert),
          key: readFileSync(pki.adminKey),
          timeout: 2000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }

  private recordPids(): void {
    recordPids(
      this.stateDir,
      [this.etcd?.pid ?? 0, this.apiserver?.pid ?? 0].filter((p) => p > 0),
    );
  }
}

async function waitFor(
  name: string,
  deadline: number,
  proc: ManagedProcess,
  ready: () => Promise<boolean>,
): Promise<void> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${name} exited during start-up`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready in time`);
}
