import { encodeRecord, decodeRecord, EncodedRecord, RegistryRecord } from './registry-record';
import type { SchemaLog, SchemaLogStatus } from './schema-log';

/**
 * Test adapter: an in-process log with the same contract as the Kafka one.
 * Records go through encode/decode, so tests exercise the wire format too.
 * Several instances may share one `entries` array to simulate restarts.
 */
export class InMemorySchemaLog implements SchemaLog {
  private apply: ((record: RegistryRecord) => void) | undefined;
  private position = 0;

  constructor(readonly entries: EncodedRecord[] = []) {}

  async open(apply: (record: RegistryRecord) => void): Promise<void> {
    this.apply = apply;
    await this.catchUp();
  }

  async catchUp(): Promise<void> {
    const apply = this.apply;
    if (apply === undefined) throw new Error('log not open');
    for (; this.position < this.entries.length; this.position++) {
      const { key, value } = this.entries[this.position];
      const record = decodeRecord(key, value);
      if (record !== undefined) apply(record);
    }
    await Promise.resolve();
  }

  async append(records: readonly RegistryRecord[]): Promise<void> {
    this.entries.push(...records.map(encodeRecord));
    await this.catchUp();
  }

  status(): SchemaLogStatus {
    return { caughtUp: this.apply !== undefined, fenced: false, position: this.position };
  }

  async close(): Promise<void> {
    this.apply = undefined;
    await Promise.resolve();
  }
}
