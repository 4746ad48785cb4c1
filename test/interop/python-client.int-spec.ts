import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import type { RunningSchemaRegistry } from '../../apps/schema-registry/src/start-schema-registry';
import { deleteTopics, startTestRegistry, testKafka, uniqueSchemasTopic } from '../../apps/schema-registry/test/registry-under-test';
import { interopVenvMissing, runPythonScript } from './python-venv';

// Interop with the official Confluent Python client (confluent-kafka + fastavro,
// pinned in test/interop/requirements.txt) over the real dev Kafka and an
// in-process registry. Schema under test: schemas/avro/image-arrived.avsc.
jest.setTimeout(120_000);

const schemaFile = join(__dirname, '../../schemas/avro/image-arrived.avsc');
const imageArrived = readFileSync(schemaFile, 'utf8');
const labels = { category: ['coat'], fabric: ['wool'], texture: [], process: [], accessory: [], style: ['minimal'], silhouette: [], collar: [], color: ['camel'] };
const brokers = stack.brokers.join(',');

const missing = interopVenvMissing();
if (missing !== undefined && process.env.CI === 'true') {
  throw new Error(`${missing} (CI=true: the interop tests must run)`);
}
if (missing !== undefined) {
  console.warn(`SKIPPING Python interop tests: ${missing}`);
}
const describeInterop = missing === undefined ? describe : describe.skip;

describeInterop('Confluent Python client against our registry', () => {
  const schemasTopic = uniqueSchemasTopic();
  const topics: string[] = [schemasTopic];
  let registry: RunningSchemaRegistry;

  beforeAll(async () => {
    registry = await startTestRegistry(schemasTopic);
  });
  afterAll(async () => {
    await registry.close();
    await deleteTopics(topics);
  });

  it('Python registers image-arrived and produces with AvroSerializer; our TS consumer decodes it', async () => {
    const topic = uniqueName('interop-py-to-ts');
    topics.push(topic);
    await createTopics([topic]);
    const record = {
      imageId: 'img-py-1',
      uri: 'https://example.invalid/coat.jpg',
      source: 'street',
      bloggerId: 'blogger-7',
      publishedAt: 1_700_000_000_000,
      crawledAt: 1_700_000_050_000,
      labels,
      title: 'Camel coat',
      contentSha256: null,
      attributes: { city: 'Milan' },
    };
    const out = await runPythonScript('produce_image_arrived.py', [
      '--registry', registry.url, '--brokers', brokers, '--topic', topic, '--schema-file', schemaFile, '--record', JSON.stringify(record),
    ]);
    const report = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(report).toMatchObject({
      schema_id_again: report.schema_id,
      latest_version: 1,
      latest_schema_id: report.schema_id,
      lookup_version: 1,
      compatible: true,
      compatibility: 'BACKWARD',
      magic: 0,
      wire_schema_id: report.schema_id,
    });

    const kafka = testKafka();
    const consumer = kafka.consumer({ groupId: uniqueName('interop-ts-consumer') });
    const values: Buffer[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value !== null) values.push(message.value);
        await Promise.resolve();
      },
    });
    try {
      await waitFor(() => values.length > 0, { what: 'the Python-produced record', timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
    }
    const decoded = (await new SchemaRegistry({ host: registry.url }).decode(values[0])) as Record<string, unknown>;
    expect(decoded).toEqual(record);
  });

  it('our TS producer writes a record that Python decodes with AvroDeserializer', async () => {
    const topic = uniqueName('interop-ts-to-py');
    topics.push(topic);
    await createTopics([topic]);
    const client = new SchemaRegistry({ host: registry.url });
    const { id } = await client.register({ type: SchemaType.AVRO, schema: imageArrived }, { subject: `${topic}-value` });
    const record = {
      imageId: 'img-ts-1',
      uri: 'file:///data/shoe.jpg',
      source: 'ecommerce',
      bloggerId: null,
      publishedAt: 1_700_000_200_000,
      crawledAt: 1_700_000_300_000,
      labels,
      title: null,
      contentSha256: 'ab'.repeat(32),
      attributes: { sku: 'X-1' },
    };
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: record.imageId, value: await client.encode(id, record) }] });
    await producer.disconnect();

    const out = await runPythonScript('consume_avro.py', [
      '--registry', registry.url, '--brokers', brokers, '--topic', topic, '--group', uniqueName('interop-py-consumer'), '--count', '1',
    ]);
    const line = JSON.parse(out.trim().split('\n')[0]) as { key: string; value: Record<string, unknown> };
    expect(line.key).toBe(record.imageId);
    // fastavro turns timestamp-millis into datetimes (printed by str()); compare the rest as-is
    const { publishedAt, crawledAt, ...rest } = line.value;
    const { publishedAt: sentPublished, crawledAt: sentCrawled, ...sentRest } = record;
    expect(rest).toEqual(sentRest);
    expect(Date.parse(String(publishedAt).replace(' ', 'T'))).toBe(sentPublished);
    expect(Date.parse(String(crawledAt).replace(' ', 'T'))).toBe(sentCrawled);
  });
});
