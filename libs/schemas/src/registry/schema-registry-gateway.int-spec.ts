/**
 * Integration: SchemaRegistryGateway and RegistryRestClient against the real
 * registry at stack.registryUrl (127.0.0.1:8081). Real: registry. Faked: nothing.
 * Every test uses unique subjects.
 */
import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { stack, uniqueName } from '@stylestream/test-support';
import { deadLetterContractFor, imageArrivedContract, vectorCleanedContract } from '../contracts';
import { sampleDeadLetter, sampleImageArrived, sampleVectorCleaned } from '../events';
import { RegistryRestClient } from './registry-rest-client';
import { SchemaRegistryGateway } from './schema-registry-gateway';
import { encodeWire } from './wire-format';

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('SchemaRegistryGateway against the real registry', () => {
  const gateway = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const rest = new RegistryRestClient(stack.registryUrl);

  it('registers under <topic>-value with BACKWARD, encodes and decodes', async () => {
    const contract = imageArrivedContract.onTopic(uniqueName('schemas-int'));
    const value = sampleImageArrived();
    const bytes = await gateway.encode(contract, value);
    const id = bytes.readInt32BE(1);
    expect(await rest.version(contract.subject, 'latest')).toMatchObject({ id, version: 1 });
    const decoded = await SchemaRegistryGateway.connect({ url: stack.registryUrl }).decode(bytes, contract);
    expect(decoded.schemaId).toBe(id);
    expect(JSON.parse(JSON.stringify(decoded.value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(await gateway.register(contract)).toBe(id);
  });

  it('round-trips a vector-cleaned record and a dead-letter envelope', async () => {
    const cleaned = vectorCleanedContract.onTopic(uniqueName('schemas-int'));
    const { value } = await gateway.decode(await gateway.encode(cleaned, sampleVectorCleaned()), cleaned);
    expect(value.vector).toEqual(sampleVectorCleaned().vector);
    const dlq = deadLetterContractFor(uniqueName('schemas-int'));
    const decoded = await gateway.decode(await gateway.encode(dlq, sampleDeadLetter()), dlq);
    expect(decoded.value.headers[1]).toEqual({ key: 'empty', value: null });
  });

  it('maps an unknown schema id to SCHEMA_UNKNOWN and non-Avro bytes to WIRE_FORMAT_INVALID', async () => {
    const unknown = await errorOf(gateway.decode(encodeWire(2_000_000_000, Buffer.from([0])), imageArrivedContract));
    expect(unknown).toBeInstanceOf(InvalidInputError);
    expect(unknown).toMatchObject({ code: 'SCHEMA_UNKNOWN', retriable: false });
    expect(await errorOf(gateway.decode(Buffer.from('{"imageId":"x"}')))).toMatchObject({ code: 'WIRE_FORMAT_INVALID' });
  });

  it('reports an unreachable registry as retriable DependencyUnavailableError', async () => {
    const down = SchemaRegistryGateway.connect({ url: 'http://127.0.0.1:1', retries: 0 });
    const err = await errorOf(down.encode(imageArrivedContract.onTopic(uniqueName('schemas-int')), sampleImageArrived()));
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect(err).toMatchObject({ retriable: true });
    expect(await errorOf(new RegistryRestClient('http://127.0.0.1:1').versions('x'))).toBeInstanceOf(DependencyUnavailableError);
  });
});
