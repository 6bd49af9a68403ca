// Where the operator finds its cluster and credentials, in a fixed order: an explicit kubeconfig
// file, KUBECONFIG (a colon-separated list merged like kubectl), the pod's ServiceAccount
// (in-cluster), then ~/.kube/config. Nothing configured is an error: falling back to
// http://localhost:8080 would make an operator without a cluster retry for ever.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserCredentials } from './credentials.ts';
import type { CredentialOptions, Credentials } from './credentials.ts';
import { currentContext, readKubeconfigFiles } from './kubeconfigFile.ts';

/** Upper bound for one non-watch API request (the creation lock's duration is checked against it). */
export const API_REQUEST_TIMEOUT_MS = 10_000;

/** One cluster and the identity to use there: everything a request needs. */
export interface ClusterConfig {
  /** The kubeconfig context, or "in-cluster". */
  contextName: string;
  /** https://host:port, no trailing slash. */
  server: string;
  /** PEM bundle to trust instead of the system roots. */
  ca?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  credentials: Credentials;
  /** Upper bound for one non-watch request; may be lowered (tests). */
  requestTimeoutMs: number;
}

export interface KubeConfigSource {
  /** Explicit kubeconfig file; otherwise KUBECONFIG, in-cluster, then ~/.kube/config. */
  kubeconfigPath?: string;
  env?: Record<string, string | undefined>;
  /** Clock and re-read intervals of the credentials (tests). */
  credentials?: CredentialOptions;
  /** Where the ServiceAccount is mounted in-cluster (tests). */
  serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function loadKubeConfig(source: KubeConfigSource = {}): ClusterConfig {
  const env = source.env ?? process.env;
  const saDir = source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (source.kubeconfigPath) return fromKubeconfig([source.kubeconfigPath], source.credentials);
  if (env.KUBECONFIG) return fromKubeconfig(env.KUBECONFIG.split(delimiter), source.credentials);
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) {
    return inCluster(env, saDir, source.credentials);
  }
  if (existsSync(home)) return fromKubeconfig([home], source.credentials);
  throw new Error('no Kubernetes cluster configured: set KUBECONFIG, run in a pod, or create ~/.kube/config');
}

/** The current context of the merged kubeconfig files. */
export function fromKubeconfig(paths: string[], opts: CredentialOptions = {}): ClusterConfig {
  const ctx = currentContext(readKubeconfigFiles(paths));
  const c = ctx.cluster;
  const ca = c.certificateAuthorityData
    ? Buffer.from(c.certificateAuthorityData, 'base64').toString('utf8')
    : c.certificateAuthority && readFileSync(c.certificateAuthority, 'utf8');
  const server = c.server.replace(/\/+$/, '');
  const execCluster = {
    server,
    'certificate-authority-data': ca ? Buffer.from(ca).toString('base64') : undefined,
    'tls-server-name': c.tlsServerName,
  };
  return {
    contextName: ctx.name,
    server,
    ca: ca || undefined,
    insecureSkipTlsVerify: c.insecureSkipTlsVerify ?? false,
    tlsServerName: c.tlsServerName,
    credentials: new UserCredentials(ctx.user, { ...opts, exec: { cluster: execCluster, ...opts.exec } }),
    requestTimeoutMs: API_REQUEST_TIMEOUT_MS,
  };
}

/** A pod's ServiceAccount: the token file is re-read periodically (bound tokens rotate). */
export function inCluster(
  env: Record<string, string | undefined>,
  saDir = SERVICE_ACCOUNT_DIR,
  opts: CredentialOptions = {},
): ClusterConfig {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const caPath = join(saDir, 'ca.crt');
  return {
    contextName: 'in-cluster',
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: existsSync(caPath) ? readFileSync(caPath, 'utf8') : undefined,
    insecureSkipTlsVerify: false,
    credentials: new UserCredentials({ tokenFile: join(saDir, 'token') }, opts),
    requestTimeoutMs: API_REQUEST_TIMEOUT_MS,
  };
}
