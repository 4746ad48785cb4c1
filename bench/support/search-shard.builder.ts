import { DEFAULT_HNSW_PARAMS } from '@stylestream/index';
import { type GeneratorParams, generateVectors } from './clustered-vectors';
import { benchImageId } from './search-label.catalog';
import { writePartitionSnapshot } from './search-cluster';

/**
 * Child-process entry: builds the shards of one benchmark owner offline,
 * base rows [from, to) of the clustered generator into partition 0 of `topic`
 * under `dataDir` (the index-writer's snapshot format). Run one per owner, in
 * parallel. argv: dataDir topic from to generatorParamsJson
 */
async function main(): Promise<void> {
  const [dataDir, topic, fromArg, toArg, generatorArg] = process.argv.slice(2);
  if (dataDir === undefined || topic === undefined) throw new Error('usage: search-shard.builder <dataDir> <topic> <from> <to> <generatorParamsJson>');
  const from = Number(fromArg);
  const to = Number(toArg);
  const generator = JSON.parse(generatorArg ?? '{}') as Partial<GeneratorParams>;
  const dim = generator.dim ?? 256;
  const vectors = generateVectors({ ...generator, n: to - from, offset: from });
  const params = { ...DEFAULT_HNSW_PARAMS, dim };
  const rows = Array.from({ length: to - from }, (_, i) => i);
  await writePartitionSnapshot({ dataDir, topic, partition: 0, modelVersion: '1.0.0', params, capacity: to - from + 1, vectors, rows, idOf: (i) => benchImageId(from + i) });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
