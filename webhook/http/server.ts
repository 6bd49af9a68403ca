// The intake's HTTP(S) server. Keep-alive: Alertmanager's HTTP client (prometheus/common) keeps
// idle connections for 5 minutes, so the server keeps them longer and the client, not the
// server, is the one that closes an idle connection (otherwise a POST can race the server's
// close and fail with EOF). TLS: certificate and key are read from files and reloaded when
// they change (a rotated Secret or cert-manager renewal), without a restart.
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Config } from '../../operator/config/schema.ts';
import type { Logger } from '../../operator/observability/logger.ts';

export interface IntakeServer {
  server: Server;
  scheme: 'http' | 'https';
  /** Stops watching the certificate files. */
  dispose(): void;
}

export function createIntakeServer(
  app: RequestListener,
  intake: Config['intake'],
  log: Logger,
): IntakeServer {
  const tls = intake.tls;
  let server: Server;
  let dispose = () => {};
  if (tls.enabled) {
    const pair = readPair(tls.certFile, tls.keyFile);
    const https = createHttpsServer({ ...pair, minVersion: 'TLSv1.2' }, app);
    dispose = watchPair(https, tls, pair, log);
    server = https;
  } else {
    server = createServer(app);
  }
  server.keepAliveTimeout = intake.keepAliveTimeoutMs;
  server.headersTimeout = intake.headersTimeoutMs;
  // Node requires requestTimeout >= headersTimeout; the handler's own limit is requestTimeoutMs.
  server.requestTimeout = Math.max(server.requestTimeout, intake.headersTimeoutMs);
  return { server, scheme: tls.enabled ? 'https' : 'http', dispose };
}

function readPair(certFile: string, keyFile: string): { cert: string; key: string } {
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** Polls both files (stat follows the Secret volume's symlinks) and swaps the context on change. */
function watchPair(
  server: HttpsServer,
  tls: Config['intake']['tls'],
  initial: { cert: string; key: string },
  log: Logger,
): () => void {
  let current = initial;
  const reload = () => {
    let next: { cert: string; key: string };
    try {
      next = readPair(tls.certFile, tls.keyFile);
      if (next.cert === current.cert && next.key === current.key) return;
      // Validates that key and certificate match before anything is swapped.
      createSecureContext({ ...next });
    } catch (err) {
      // Half-written rotation: keep serving the old pair, the next change retries.
      log.warn('TLS certificate not reloaded', { err: String(err), certFile: tls.certFile });
      return;
    }
    server.setSecureContext({ ...next, minVersion: 'TLSv1.2' });
    current = next;
    log.info('TLS certificate reloaded', { certFile: tls.certFile });
  };
  const options = { interval: tls.reloadIntervalSeconds * 1000, persistent: false };
  watchFile(tls.certFile, options, reload);
  watchFile(tls.keyFile, options, reload);
  return () => {
    unwatchFile(tls.certFile, reload);
    unwatchFile(tls.keyFile, reload);
  };
}
