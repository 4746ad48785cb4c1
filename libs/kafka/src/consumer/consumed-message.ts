/** A record as fetched, before decoding (the subset of kafkajs' KafkaMessage the stage needs). */
export interface RawMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
  readonly offset: string;
  readonly timestamp: string;
}

interface ConsumedMessageBase {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The key as UTF-8 (the image id), or null when the record has no key. */
  readonly key: string | null;
  /** Header values as UTF-8 strings; for repeated headers, the last one. */
  readonly headers: Readonly<Record<string, string>>;
  /** Kafka timestamp, ms since the Unix epoch, as a string (kafkajs convention). */
  readonly timestamp: string;
  /** 1 on first delivery; n on the n-th attempt after retriable failures. */
  readonly attempt: number;
}

/**
 * A decoded record handed to a stage handler. A tombstone (null value) is
 * passed through as `{ tombstone: true, value: null }`: it means "take this
 * image down" and must reach every store.
 */
export type ConsumedMessage<T> =
  | (ConsumedMessageBase & { readonly tombstone: false; readonly value: T })
  | (ConsumedMessageBase & { readonly tombstone: true; readonly value: null });

/** Header values as strings (the last value of a repeated header). */
export function headersAsStrings(headers: RawMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (last !== undefined) out[name] = Buffer.isBuffer(last) ? last.toString('utf8') : last;
  }
  return out;
}
