// Runs loadConfig in the worker thread started by loadIsolated.ts and posts the result back.
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError, loadConfig } from './load.ts';

try {
  parentPort!.postMessage({ config: loadConfig(workerData as Record<string, string | undefined>) });
} catch (err) {
  parentPort!.postMessage({
    error: err instanceof Error ? err.message : String(err),
    configError: err instanceof ConfigError,
  });
}
