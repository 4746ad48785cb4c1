/**
 * Makes a stop/close sequence idempotent: the first call runs `steps` in order;
 * every call (concurrent or later) gets that same promise, so a signal handler
 * and a test teardown stopping together run the shutdown once.
 */
export function stopOnce(steps: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= steps();
    return stopping;
  };
}
