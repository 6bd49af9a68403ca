// Loads and validates the configuration in a short-lived worker thread. TypeBox, Ajv and the
// YAML parser are needed once, at start-up, but an ES module once imported stays in memory for
// the life of the process (about 25 MB of RSS for these three); the worker's isolate, and all of
// that with it, is freed as soon as the validated configuration (plain data) has been handed over.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError } from './configError.ts';
import type { Config } from './schema.ts';

type Reply = { config: Config } | { error: string; configError: boolean };

export function loadConfigIsolated(env: Record<string, string | undefined> = process.env): Promise<Config> {
  // Next to this file: loadWorker.ts from source (type stripping), loadWorker.js once compiled.
  const worker = new URL(`./loadWorker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  return new Promise((resolve, reject) => {
    const w = new Worker(worker, { workerData: { ...env } });
    let replied = false;
    w.once('message', (reply: Reply) => {
      replied = true;
      if ('config' in reply) resolve(reply.config);
      else reject(reply.configError ? new ConfigError(reply.error) : new Error(reply.error));
    });
    w.once('error', (err) => {
      replied = true;
      reject(err);
    });
    w.once('exit', (code) => {
      if (!replied) reject(new Error(`configuration worker exited with code ${code} before answering`));
    });
  });
}
