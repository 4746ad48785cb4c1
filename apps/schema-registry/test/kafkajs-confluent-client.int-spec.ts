import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createTopics, uniqueName, waitFor } from '@stylestream/test-support';
import type { RunningSchemaRegistry } from '../src/start-schema-registry';
import { deleteTopics, startTestRegistry, testKafka, uniqueSchemasTopic } from './registry-under-test';

// Medium tier: the registry on the real dev Kafka, driven by a client written by
// others (@kafkajs/confluent-schema-registry 3.9), as the pipeline stages use it.
jest.setTimeout(60_000);

const imageArrived = readFileSync(join(__dirname, '../../../schemas/avro/image-arrived.avsc'), 'utf8');
const sample = {
  imageId: 'img-kafkajs-1',
  uri: 'file:///tmp/dress.jpg',
  source: 'runway',
  bloggerId: null,
  publishedAt: 1_700_000_000_000,
  crawledAt: 1_700_000_100_000,
  labels: { category: ['dress'], fabric: [], texture: [], process: [], accessory: [], style: [], silhouette: [], collar: [], color: ['red'] },
  title: null,
  contentSha256: null,
  attributes: { season: 'SS24' },
};

describe('@kafkajs/confluent-schema-registry against our registry', () => {
  const schemasTopic = uniqueSchemasTopic();
  const dataTopic = uniqueName('sr-kafkajs-data');
  let registry: RunningSchemaRegistry;
  let authed: RunningSchemaRegistry;

  beforeAll(async () => {
    await createTopics([dataTopic]);
    registry = await startTestRegistry(schemasTopic);
    authed = await startTestRegistry(`${schemasTopic}-auth`, { SCHEMA_REGISTRY_BASIC_AUTH: 'svc:secret' });
  });
  afterAll(async () => {
    await Promise.allSettled([registry.close(), authed.close()]);
    await deleteTopics([schemasTopic, `${schemasTopic}-auth`, dataTopic]);
  });

  it('registers, sets compatibility, encodes, round-trips through Kafka and decodes', async () => {
    const client = new SchemaRegistry({ host: registry.url });
    const subject = `${dataTopic}-value`;
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: imageArrived },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(await client.getLatestSchemaId(subject)).toBe(id);
    expect(await client.getRegistryId(subject, 1)).toBe(id);
    expect(await client.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: imageArrived })).toBe(id);

    const value = await client.encode(id, sample);
    expect(value[0]).toBe(0);
    expect(value.readInt32BE(1)).toBe(id);

    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: dataTopic, messages: [{ key: sample.imageId, value }] });
    await producer.disconnect();

    const received: Buffer[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('sr-kafkajs-group') });
    await consumer.connect();
    await consumer.subscribe({ topic: dataTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value !== null) received.push(message.value);
        await Promise.resolve();
      },
    });
    try {
      await waitFor(() => received.length > 0, { what: 'the record on the data topic', timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
    }
    // a fresh client has no cache: decode fetches the schema by id from our registry
    expect(await new SchemaRegistry({ host: registry.url }).decode(received[0])).toEqual(sample);
  });

  it('surfaces an incompatible change as an error', async () => {
    const client = new SchemaRegistry({ host: registry.url });
    const subject = uniqueName('sr-kafkajs-compat');
    const v1 = { type: 'record', name: 'Thing', fields: [{ name: 'id', type: 'string' }] };
    const v2 = { type: 'record', name: 'Thing', fields: [{ name: 'id', type: 'int' }] };
    await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });
    await expect(client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject })).rejects.toThrow(/incompatible/i);
  });

  it('works with basic auth credentials, and is refused without them', async () => {
    const schema = { type: SchemaType.AVRO as const, schema: JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] }) };
    const ok = new SchemaRegistry({ host: authed.url, auth: { username: 'svc', password: 'secret' } });
    const { id } = await ok.register(schema, { subject: 'auth-value' });
    expect(await ok.decode(await ok.encode(id, { x: 7 }))).toEqual({ x: 7 });
    await expect(new SchemaRegistry({ host: authed.url }).register(schema, { subject: 'auth-value' })).rejects.toThrow(/unauthorized/i);
  });
});
