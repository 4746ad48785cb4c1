import * as avro from 'avsc';
import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { imageArrivedContract, vectorCleanedContract, type TopicContract } from '../contracts';
import { sampleImageArrived, sampleVectorCleaned, type ImageArrived } from '../events';
import type { RegistryClientPort } from './registry-client.port';
import { SchemaRegistryGateway } from './schema-registry-gateway';
import { encodeWire } from './wire-format';

/** In-memory registry: same schema text → same id; ids global. */
class FakeRegistry implements RegistryClientPort {
  readonly schemas = new Map<number, string>();
  registerCalls = 0;
  lookupCalls = 0;
  failWith: Error | undefined;

  register(_subject: string, schemaJson: string): Promise<number> {
    this.registerCalls++;
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    for (const [id, text] of this.schemas) if (text === schemaJson) return Promise.resolve(id);
    const id = this.schemas.size + 1;
    this.schemas.set(id, schemaJson);
    return Promise.resolve(id);
  }

  getAvroType(schemaId: number): Promise<avro.Type> {
    this.lookupCalls++;
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const text = this.schemas.get(schemaId);
    if (text === undefined) return Promise.reject(Object.assign(new Error('Schema not found'), { status: 404 }));
    return Promise.resolve(avro.Type.forSchema(JSON.parse(text) as avro.Schema));
  }
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('SchemaRegistryGateway (fake registry)', () => {
  let registry: FakeRegistry;
  let gateway: SchemaRegistryGateway;
  beforeEach(() => {
    registry = new FakeRegistry();
    gateway = new SchemaRegistryGateway(registry);
  });

  it('encodes in the Confluent wire format and decodes back with the schema id', async () => {
    const value = sampleImageArrived();
    const bytes = await gateway.encode(imageArrivedContract, value);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(1);
    const decoded = await gateway.decode(bytes, imageArrivedContract);
    expect(decoded.schemaId).toBe(1);
    expect(JSON.parse(JSON.stringify(decoded.value))).toEqual(JSON.parse(JSON.stringify(value)));
    const untyped = await gateway.decode(bytes);
    expect((untyped.value as ImageArrived).imageId).toBe(value.imageId);
  });

  it('registers once per contract schema and looks a writer schema up once', async () => {
    const bytes = await Promise.all([1, 2, 3].map((i) => gateway.encode(imageArrivedContract, sampleImageArrived({ imageId: `i${i}` }))));
    await Promise.all(bytes.map((b) => gateway.decode(b, imageArrivedContract)));
    await gateway.decode(bytes[0], imageArrivedContract);
    expect(registry.registerCalls).toBe(1);
    expect(registry.lookupCalls).toBe(1);
    expect(await gateway.register(imageArrivedContract.onTopic('other'))).toBe(1);
    expect(registry.registerCalls).toBe(2);
  });

  it('rejects a value that does not match the schema with SCHEMA_VIOLATION naming the field', async () => {
    const bad = { ...sampleImageArrived(), publishedAt: 'yesterday' } as unknown as ImageArrived;
    const err = await errorOf(gateway.encode(imageArrivedContract, bad));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ code: 'SCHEMA_VIOLATION', retriable: false });
    expect((err as Error).message).toMatch(/publishedAt: expected long, got string "yesterday"/);
    expect(registry.registerCalls).toBe(0);
  });

  it('maps bad bytes, unknown ids and undecodable bodies to InvalidInputError codes', async () => {
    expect(await errorOf(gateway.decode(Buffer.from('not avro at all')))).toMatchObject({ code: 'WIRE_FORMAT_INVALID' });
    expect(await errorOf(gateway.decode(Buffer.from([0, 0, 0])))).toMatchObject({ code: 'WIRE_FORMAT_INVALID' });
    expect(await errorOf(gateway.decode(encodeWire(999, Buffer.from([2, 0x61]))))).toMatchObject({ code: 'SCHEMA_UNKNOWN', retriable: false });
    const good = await gateway.encode(imageArrivedContract, sampleImageArrived());
    expect(await errorOf(gateway.decode(good.subarray(0, good.length - 3), imageArrivedContract))).toMatchObject({ code: 'SCHEMA_VIOLATION' });
    expect(await errorOf(gateway.decode(Buffer.concat([good, Buffer.from([1, 2])]), imageArrivedContract))).toMatchObject({ code: 'SCHEMA_VIOLATION' });
  });

  it('refuses to read a record of another contract with SCHEMA_INCOMPATIBLE', async () => {
    const cleaned = await gateway.encode(vectorCleanedContract, sampleVectorCleaned());
    expect(await errorOf(gateway.decode(cleaned, imageArrivedContract))).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
  });

  it('resolves an older writer schema into the current reader (new fields take defaults)', async () => {
    const v0 = JSON.parse(JSON.stringify(imageArrivedContract.schema)) as { fields: { name: string }[] };
    v0.fields = v0.fields.filter((f) => f.name !== 'title' && f.name !== 'attributes');
    const oldType = avro.Type.forSchema(v0 as avro.Schema);
    const oldContract: TopicContract<unknown> = {
      name: 'image-arrived',
      topic: imageArrivedContract.topic,
      subject: imageArrivedContract.subject,
      schema: v0 as TopicContract<unknown>['schema'],
      type: oldType,
      onTopic: () => oldContract,
      isValid: (v): v is unknown => oldType.isValid(v),
      violations: () => [],
    };
    const oldValue: Partial<ImageArrived> = sampleImageArrived();
    delete oldValue.title;
    delete oldValue.attributes;
    const bytes = await gateway.encode(oldContract, oldValue);
    const { value } = await gateway.decode(bytes, imageArrivedContract);
    expect(value).toMatchObject({ imageId: oldValue.imageId, title: null, attributes: {} });
  });

  it('reports an unreachable registry as retriable DependencyUnavailableError and retries later', async () => {
    registry.failWith = Object.assign(new Error('Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'), { status: 400 });
    const err = await errorOf(gateway.encode(imageArrivedContract, sampleImageArrived()));
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect(err).toMatchObject({ retriable: true });
    registry.failWith = undefined;
    await expect(gateway.encode(imageArrivedContract, sampleImageArrived())).resolves.toBeInstanceOf(Buffer);
  });
});
