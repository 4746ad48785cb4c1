import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSNonRetriableError } from 'kafkajs';
import { coordinatorNotReady } from './kafka-schema-log';

const protocol = (type: string): Error => new KafkaJSProtocolError({ message: `broker says ${type}`, type, code: 0, retriable: true } as unknown as Error);

/** The client's own error for a Kafka error code (what its broker responses raise). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs ships no types for its protocol error table
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error & { type: string } };

describe('coordinatorNotReady (when opening the schemas log claims the writer role again)', () => {
  it.each([
    [14, 'coordinator loading'],
    [15, 'coordinator not available'],
    [16, 'not the coordinator'],
    [51, 'concurrent transactions'],
  ])('is true for the client’s error for Kafka code %d (%s), bare or wrapped by its retrier', (code) => {
    const err = createErrorFromCode(code);
    expect(coordinatorNotReady(err)).toBe(true);
    expect(coordinatorNotReady(new KafkaJSNumberOfRetriesExceeded(err, { retryCount: 5, retryTime: 5000 }))).toBe(true);
  });

  it.each(['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'CONCURRENT_TRANSACTIONS'])('is true for %s, bare or wrapped by the client retrier', (type) => {
    expect(coordinatorNotReady(protocol(type))).toBe(true);
    expect(coordinatorNotReady(new KafkaJSNumberOfRetriesExceeded(protocol(type), { retryCount: 5, retryTime: 5000 }))).toBe(true);
  });

  it('is true for a connection that failed', () => {
    expect(coordinatorNotReady(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(true);
  });

  it('is false for errors that waiting does not fix', () => {
    expect(coordinatorNotReady(protocol('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'))).toBe(false);
    expect(coordinatorNotReady(new KafkaJSNonRetriableError('bad config'))).toBe(false);
    expect(coordinatorNotReady(new Error('plain'))).toBe(false);
    expect(coordinatorNotReady('not an error')).toBe(false);
  });
});
