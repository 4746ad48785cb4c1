/**
 * Reads the bytes of an image named by its URI (`file://`, `http://`, `https://`).
 * Contract: resolves with the whole body (never more than `maxBytes`); rejects with
 * - InvalidInputError (not retriable) when the fetch can never succeed: malformed URI
 *   (IMAGE_URI_INVALID), other scheme (UNSUPPORTED_SCHEME), missing file or HTTP 404/410
 *   (IMAGE_NOT_FOUND), another 4xx (IMAGE_FETCH_REJECTED), body over the limit
 *   (IMAGE_TOO_LARGE), empty body (IMAGE_EMPTY);
 * - ImageUnreachableError (retriable) when the source timed out, reset or answered 5xx
 *   after the fetcher's own bounded retries.
 * Calls may run concurrently; the fetcher holds no per-call state.
 */
export interface ImageFetcher {
  fetch(uri: string): Promise<Buffer>;
}

/** Limits of one fetch; `attempts` includes the first try. */
export interface ImageFetchLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** Deadline of one attempt (connect + whole body), in ms. */
  readonly timeoutMs: number;
  /** Attempts for timeouts and 5xx, including the first (≥ 1). */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time, capped at maxBackoffMs. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_IMAGE_FETCH_LIMITS: ImageFetchLimits = {
  maxBytes: 20 * 1024 * 1024,
  timeoutMs: 10_000,
  attempts: 3,
  initialBackoffMs: 200,
  maxBackoffMs: 2_000,
};
