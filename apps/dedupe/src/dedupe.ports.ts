import type { VectorCleaned } from '@stylestream/schemas';
import type { DedupeEntry } from './dedupe-state';

/** One state change to log: the new entry of an image id, or null (tombstone) when it was removed. */
export interface StateChange {
  readonly imageId: string;
  readonly entry: DedupeEntry | null;
}

/**
 * The write side of the state changelog (compacted topic keyed by image id).
 * write() appends the changes in the given order (two changes of one id keep
 * their order) and resolves with each record's offset, same order, once every
 * record is acknowledged by all in-sync replicas; a null entry writes a
 * tombstone. A key always lands in the same changelog partition, so offsets of
 * one id are comparable. All or nothing for the caller: on a throw
 * (DependencyUnavailableError when the broker cannot be reached) some records
 * may have been written; the consumer re-handles the messages and the writes
 * are idempotent per key (same id, same decision).
 */
export interface StateChangelogWriter {
  write(changes: readonly StateChange[]): Promise<string[]>;
}

/** One changelog record as read back (restore and tail). */
export interface ChangelogRecord {
  readonly imageId: string;
  /** null for a tombstone. */
  readonly entry: DedupeEntry | null;
  /** Offset in the record's changelog partition (a key always maps to one partition). */
  readonly offset: string;
}

/** One decision to publish: the vector-cleaned value of an image id, or null for a tombstone. */
export interface CleanedRecord {
  readonly imageId: string;
  readonly value: VectorCleaned | null;
}

/**
 * Where decisions go (`vector-cleaned`, key = image id; null = tombstone).
 * publish() sends the records in the given order (records of one key keep
 * their order) and resolves once all are acknowledged; throws
 * DependencyUnavailableError when the broker or registry is down,
 * InvalidInputError on a schema violation. On a throw some records may have
 * been published (at-least-once; downstream sinks are idempotent by image id).
 */
export interface CleanedPublisher {
  publish(records: readonly CleanedRecord[]): Promise<void>;
}
