/** One original Kafka header; order and duplicates are preserved. */
export interface DeadLetterHeader {
  key: string;
  value: Buffer | null;
}

/**
 * Value of topic `<input-topic>.dlq` (key = the original key). Carries the
 * original bytes unchanged so the record can be inspected and replayed.
 */
export interface DeadLetter {
  key: Buffer | null;
  /** Original value bytes exactly as consumed (maybe not Avro at all); null for a tombstone. */
  value: Buffer | null;
  headers: DeadLetterHeader[];
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  /** Kafka timestamp of the original record, ms since the Unix epoch; null if unknown. */
  sourceTimestamp?: number | null;
  /** The stage (consumer) that gave up, e.g. `extractor`. */
  stage: string;
  /** Error class/code, e.g. `WIRE_FORMAT_INVALID` (see errorClassOf in @stylestream/errors). */
  errorClass: string;
  reason: string;
  retriable: boolean;
  attempts: number;
  /** ms since the Unix epoch (timestamp-millis). */
  at: number;
}
