// Process entry point: configuration, logging, the manager, and signal handling. Wiring only.
import { ConfigError } from './config/configError.ts';
import { loadConfigIsolated } from './config/loadIsolated.ts';
import { Manager } from './manager.ts';
import { createLogger } from './observability/logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = await loadConfigIsolated();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const manager = new Manager({ config, logger });
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('signal received', { signal: sig });
    manager.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await manager.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
