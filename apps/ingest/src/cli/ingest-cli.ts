#!/usr/bin/env node
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { loadConfig } from '@stylestream/config';
import { ConfigError, InvalidInputError, reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { findRepoRoot } from '@stylestream/schemas';
import { IMAGE_SOURCES, type ImageSource } from '../domain/image-arrived';
import type { ImageArrivedPublisher } from '../domain/image-arrived-publisher.port';
import { ImageIngestService } from '../domain/image-ingest.service';
import { ingestCliConfigSchema, type IngestCliConfig } from '../ingest.config';
import { connectImageArrivedPublisher } from '../kafka/connect-image-arrived.publisher';
import { runBulkIngest, type BulkIngestSummary, type IngestCandidate } from './bulk-ingest.run';
import { folderCandidates, jsonlCandidates, limited } from './ingest-candidates';
import { listFolderImages } from './image-folder.walker';
import { assertReadableFile, countJsonlLines } from './jsonl-reader';
import { formatSummary } from './ingest-summary.format';
import { writeSyntheticImageSet } from './synthetic-image-set.writer';

/** Exit statuses: everything sent; a fatal error (bad input path, Kafka down); some items rejected; bad configuration. */
export const EXIT = { ok: 0, failed: 1, someRejected: 2, config: 78 } as const;

export interface IngestCliDeps {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Connects the publisher (Kafka in production, a fake in unit tests). */
  createPublisher: (config: IngestCliConfig) => Promise<ImageArrivedPublisher>;
  /** Where --generate writes without --out; default `<repo>/.data/generated-images`. */
  defaultGeneratedDir?: () => string;
}

interface CliOptions {
  dir?: string;
  jsonl?: string;
  generate?: number;
  seed: number;
  out?: string;
  duplicateShare: number;
  source: ImageSource;
  limit?: number;
  brokers?: string;
  registry?: string;
  topic?: string;
  json?: boolean;
}

/** `npm run ingest -- --dir <folder> | --jsonl <file> | --generate <count>`; resolves to the exit status. */
export async function runIngestCli(args: readonly string[], deps: IngestCliDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.failed;
    throw err;
  }
  const options = program.opts<CliOptions>();
  if ([options.dir, options.jsonl, options.generate].filter((input) => input !== undefined).length !== 1) {
    deps.stderr.write('ingest: give exactly one of --dir <folder>, --jsonl <file> or --generate <count>\n');
    return EXIT.failed;
  }
  try {
    return await ingest(options, deps);
  } catch (err) {
    if (err instanceof ConfigError) {
      deps.stderr.write(`ingest: ${err.message}\n`);
      return EXIT.config;
    }
    deps.stderr.write(`ingest: ${err instanceof InvalidInputError ? err.message : reasonOf(err)}\n`);
    return EXIT.failed;
  }
}

async function ingest(options: CliOptions, deps: IngestCliDeps): Promise<number> {
  const config = loadConfig(ingestCliConfigSchema, {
    ...deps.env,
    ...(options.brokers === undefined ? {} : { KAFKA_BROKERS: options.brokers }),
    ...(options.registry === undefined ? {} : { SCHEMA_REGISTRY_URL: options.registry }),
    ...(options.topic === undefined ? {} : { INGEST_TOPIC: options.topic }),
  });
  // Input problems are reported before anything connects to Kafka.
  const input = await openInput(options, deps);
  const total = options.limit === undefined ? input.total : Math.min(input.total, options.limit);

  const publisher = await deps.createPublisher(config);
  const bar = new SingleBar({ stream: deps.stderr, format: 'ingest [{bar}] {value}/{total} images | {eta_formatted} left', hideCursor: true }, Presets.shades_classic);
  let summary: BulkIngestSummary;
  const started = Date.now();
  try {
    bar.start(total, 0);
    summary = await runBulkIngest(limited(input.candidates, options.limit), {
      service: new ImageIngestService(publisher, { maxBatch: config.INGEST_CLI_CHUNK }),
      chunkSize: config.INGEST_CLI_CHUNK,
      onProgress: (settled) => bar.update(settled),
    });
  } finally {
    bar.stop();
    await publisher.close();
  }
  summary.elapsedMs = Date.now() - started;
  deps.stdout.write(options.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  if (summary.failure !== undefined) return EXIT.failed;
  return summary.rejected > 0 ? EXIT.someRejected : EXIT.ok;
}

async function openInput(options: CliOptions, deps: IngestCliDeps): Promise<{ candidates: AsyncIterable<IngestCandidate>; total: number }> {
  let folder = options.dir;
  if (options.generate !== undefined) {
    const out = options.out ?? (deps.defaultGeneratedDir ?? defaultGeneratedDir)();
    const report = await writeSyntheticImageSet(out, { count: options.generate, seed: options.seed, duplicateShare: options.duplicateShare });
    deps.stderr.write(`ingest: generated ${report.count} images (${report.duplicates} exact duplicates, seed ${options.seed}) in ${report.root} in ${report.elapsedMs} ms\n`);
    folder = report.root;
  }
  if (folder !== undefined) {
    const images = await listFolderImages(folder);
    return { candidates: folderCandidates(images, options.source), total: images.length };
  }
  const file = await assertReadableFile(options.jsonl ?? '');
  return { candidates: jsonlCandidates(file, options.source), total: await countJsonlLines(file) };
}

function defaultGeneratedDir(): string {
  return join(findRepoRoot(), '.data', 'generated-images');
}

function buildProgram(deps: IngestCliDeps): Command {
  return new Command()
    .name('ingest')
    .description('Publish image-arrived events for a folder of images or a JSONL file of image records.')
    .option('--dir <folder>', 'walk a folder for jpg/jpeg/png/webp; the <class>/ folder name becomes the category label')
    .option('--jsonl <file>', 'one JSON object per line: { uri, labels?, source?, bloggerId?, publishedAt?, title?, ... }')
    .option('--generate <count>', 'write a labelled set of <count> synthetic PNGs (<class>/<class>-<n>.png, 10 clothing classes) to --out, then ingest it like --dir', parseCount)
    .option('--seed <n>', 'with --generate: the seed; the same seed gives byte-identical images', parseCount, 1)
    .option('--out <folder>', 'with --generate: where to write (default <repo>/.data/generated-images; an earlier generated set there is replaced)')
    .option('--duplicate-share <share>', 'with --generate: share of files (0 to <1) that are exact byte copies of another image under a new name', parseShare, 0.1)
    .addOption(new Option('--source <source>', 'source for items that do not name one').choices(IMAGE_SOURCES).default('ecommerce'))
    .option('--limit <n>', 'stop after n items', parseCount)
    .option('--brokers <list>', 'Kafka bootstrap brokers, comma-separated (overrides KAFKA_BROKERS)')
    .option('--registry <url>', 'schema registry URL (overrides SCHEMA_REGISTRY_URL)')
    .option('--topic <name>', 'publish to this topic instead of image-arrived (overrides INGEST_TOPIC)')
    .option('--json', 'print the summary as JSON')
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) });
}

function parseCount(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return n;
}

function parseShare(value: string): number {
  const share = Number(value);
  if (value.trim() === '' || !(share >= 0 && share < 1)) throw new InvalidArgumentError('must be a number from 0 to below 1 (e.g. 0.1)');
  return share;
}

if (require.main === module) {
  // Keys are partitioned by kafkajs' default (Java-compatible murmur2) partitioner on purpose; see docs/DESIGN.md §7.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const logger = createLogger('ingest-cli', process.env.LOG_LEVEL ?? 'error');
  runIngestCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    createPublisher: (config) => connectImageArrivedPublisher(config, logger),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`ingest: ${reasonOf(err)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
