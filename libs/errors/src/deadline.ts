/**
 * `work`, or a rejection with `onTimeout()` once `ms` have passed without it
 * settling, whichever comes first. A deadline that holds whatever the client
 * underneath does: some HTTP clients never settle a request whose connection
 * was accepted and then closed, and ignore their own timeouts and abort
 * signals then (undici 6, which the Elasticsearch client bundles). Work given
 * up on settles later unobserved: its rejection is handled here.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (err) {
    work.catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
