import type { DeadLetter, DeadLetterHeader } from '@stylestream/schemas';
import { errorClassOf, isRetriable, reasonOf } from '@stylestream/errors';
import type { RawMessage } from '../consumer/consumed-message';

/** Where a dead-lettered record came from and who gave up on it. */
export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly stage: string;
}

/**
 * Builds the dead-letter envelope: the original key/value bytes and headers
 * unchanged (so the record can be inspected and replayed), the source
 * coordinates, and the error's class, reason and retriability.
 */
export function buildDeadLetter(
  source: DeadLetterSource,
  message: RawMessage,
  error: unknown,
  attempts: number,
  now: () => number = Date.now,
): DeadLetter {
  const timestamp = Number(message.timestamp);
  return {
    key: message.key,
    value: message.value,
    headers: headerList(message.headers),
    sourceTopic: source.topic,
    sourcePartition: source.partition,
    sourceOffset: Number(message.offset),
    sourceTimestamp: Number.isFinite(timestamp) ? timestamp : null,
    stage: source.stage,
    errorClass: errorClassOf(error),
    reason: reasonOf(error),
    retriable: isRetriable(error),
    attempts,
    at: now(),
  };
}

/** Kafka headers as an ordered list; repeated headers keep every value. */
export function headerList(headers: RawMessage['headers']): DeadLetterHeader[] {
  const out: DeadLetterHeader[] = [];
  for (const [key, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      out.push({ key, value: Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8') });
    }
  }
  return out;
}
