import type { VectorCleaned } from '@stylestream/schemas';
import type { DedupeEntry } from './dedupe-state';

/**
 * The write side of the state changelog (compacted topic keyed by image id).
 * write() resolves with the record's offset once acknowledged by all in-sync
 * replicas; a null entry writes a tombstone. Throws
 * DependencyUnavailableError when the broker cannot be reached (the consumer
 * pauses and re-handles the message; the write is idempotent per key).
 */
export interface StateChangelogWriter {
  write(imageId: string, entry: DedupeEntry | null): Promise<string>;
}

/** One changelog record as read back (restore and tail). */
export interface ChangelogRecord {
  readonly imageId: string;
  /** null for a tombstone. */
  readonly entry: DedupeEntry | null;
  /** Offset in the record's changelog partition (a key always maps to one partition). */
  readonly offset: string;
}

/**
 * Where decisions go (`vector-cleaned`, key = image id; null = tombstone).
 * Resolves once acknowledged; throws DependencyUnavailableError when the
 * broker or registry is down, InvalidInputError on a schema violation.
 */
export interface CleanedPublisher {
  publish(imageId: string, value: VectorCleaned | null): Promise<void>;
}
