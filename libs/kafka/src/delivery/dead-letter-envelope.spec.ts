import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { buildDeadLetter, headerList } from './dead-letter-envelope';

describe('buildDeadLetter', () => {
  const message = {
    key: Buffer.from('img-1'),
    value: Buffer.from([0x7b, 0x22]),
    headers: { trace: 'abc', multi: [Buffer.from('a'), 'b'], gone: undefined },
    offset: '42',
    timestamp: '1700000000000',
  };

  it('keeps the original bytes and headers and records where the message came from', () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new InvalidInputError('magic byte is 0x7b, expected 0x00', 'WIRE_FORMAT_INVALID', cause);
    const envelope = buildDeadLetter({ topic: 'image-arrived', partition: 3, stage: 'extractor' }, message, error, 1, () => 1234);
    expect(envelope).toEqual({
      key: Buffer.from('img-1'),
      value: Buffer.from([0x7b, 0x22]),
      headers: [
        { key: 'trace', value: Buffer.from('abc') },
        { key: 'multi', value: Buffer.from('a') },
        { key: 'multi', value: Buffer.from('b') },
      ],
      sourceTopic: 'image-arrived',
      sourcePartition: 3,
      sourceOffset: 42,
      sourceTimestamp: 1700000000000,
      stage: 'extractor',
      errorClass: 'WIRE_FORMAT_INVALID',
      reason: 'magic byte is 0x7b, expected 0x00 <- caused by: Unexpected token',
      retriable: false,
      attempts: 1,
      at: 1234,
    });
  });

  it('records retriability and attempts of an exhausted retriable error; a tombstone keeps value null', () => {
    const envelope = buildDeadLetter(
      { topic: 't', partition: 0, stage: 's' },
      { key: null, value: null, offset: '7', timestamp: 'not-a-number' },
      new DependencyUnavailableError('es', 'timeout'),
      6,
    );
    expect(envelope).toMatchObject({ key: null, value: null, headers: [], retriable: true, attempts: 6, errorClass: 'DEPENDENCY_UNAVAILABLE', sourceTimestamp: null });
  });

  it('headerList of no headers is empty', () => {
    expect(headerList(undefined)).toEqual([]);
  });
});
