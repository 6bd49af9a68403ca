// A throw-away CA issuing serving certificates for 127.0.0.1, made with the openssl CLI (as the
// control plane's own PKI in e2e/controlplane/pki.ts), for tests of the intake's TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export class TestPki {
  readonly dir: string;
  readonly caCert: string;

  constructor(dir = mkdtempSync(join(tmpdir(), 'intake-tls-'))) {
    this.dir = dir;
    this.caCert = join(dir, 'ca.crt');
    this.openssl([
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
    ]);
  }

  /** Writes a certificate for 127.0.0.1 with common name `cn`, signed by this CA. */
  issue(cn: string, certPath: string, keyPath: string): void {
    writeFileSync(join(this.dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    this.openssl(['req', ...EC, '-keyout', keyPath, '-out', 'srv.csr', '-subj', `/CN=${cn}`]);
    this.openssl([
      'x509',
      '-req',
      '-in',
      'srv.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      certPath,
      '-days',
      '1',
      '-extfile',
      'san.ext',
    ]);
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }
}
