import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSNonRetriableError } from 'kafkajs';
import { coordinatorNotReady } from './kafka-schema-log';

const protocol = (type: string): Error => new KafkaJSProtocolError({ message: `broker says ${type}`, type, code: 0, retriable: true } as unknown as Error);

describe('coordinatorNotReady (when opening the schemas log claims the writer role again)', () => {
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
