// Writes kubeconfig files for the local control plane: the admin (client certificate) and
// restricted identities (bearer tokens). Credentials are embedded so the file is self-contained.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { base64File } from './pki.ts';

export interface ClusterRef {
  server: string;
  caCertPath: string;
}

function kubeconfig(cluster: ClusterRef, userName: string, user: Record<string, string>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'local',
        cluster: { server: cluster.server, 'certificate-authority-data': base64File(cluster.caCertPath) },
      },
    ],
    users: [{ name: userName, user }],
    contexts: [{ name: userName, context: { cluster: 'local', user: userName } }],
    'current-context': userName,
  });
}

export function writeAdminKubeconfig(
  path: string,
  cluster: ClusterRef,
  certPath: string,
  keyPath: string,
): void {
  const user = { 'client-certificate-data': base64File(certPath), 'client-key-data': base64File(keyPath) };
  writeFileSync(path, kubeconfig(cluster, 'admin', user), { mode: 0o600 });
}

export function writeTokenKubeconfig(
  path: string,
  cluster: ClusterRef,
  userName: string,
  token: string,
): void {
  writeFileSync(path, kubeconfig(cluster, userName, { token }), { mode: 0o600 });
}
