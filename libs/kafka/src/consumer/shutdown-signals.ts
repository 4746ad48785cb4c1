import type { Logger } from 'pino';

/**
 * For processes without Nest (Nest apps call app.enableShutdownHooks(),
 * which closes the transport the same way): the first SIGTERM/SIGINT runs
 * `stop` (graceful, bounded by its own deadline) and sets exit code 0, or 1
 * if stopping failed; a second signal exits at once with 130.
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger, signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal; exiting without waiting');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight messages, committing, leaving the group');
    stop().then(
      () => {
        process.exitCode = 0;
      },
      (err: unknown) => {
        logger.error({ err }, 'graceful stop failed');
        process.exitCode = 1;
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
