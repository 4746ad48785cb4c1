#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { StyleStreamError, reasonOf } from '@stylestream/errors';
import { migrationContext } from './migration-context';
import { isUsageError, migrate, type MigrateOptions } from './migrate.command';
import { cleanup, cutover, status } from './registry.commands';

/** `npm run model -- <command>`: model migration by replay (docs/DESIGN.md §17). Exit 0 done, 1 failure, 2 refused input. */
function number(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`a number from ${min} to ${max}`);
    return n;
  };
}

const run = (body: () => Promise<number>): Promise<void> =>
  body().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`model: ${err instanceof StyleStreamError ? err.message : reasonOf(err)}\n`);
      process.exit(isUsageError(err) ? 2 : 1);
    },
  );

const program = new Command().name('model').description('Model versions of the index: migrate by replaying image-arrived, show progress, cut over, clean up.').showHelpAfterError();
program.option('--topic <name>', 'chain topics T, T.vector-extracted, ... and registry T.model-registry instead of the fixed names (tests)');

program
  .command('migrate')
  .description('re-extract image-arrived with another model under new consumer groups, build its shards beside the old ones, show progress, cut over when caught up, then keep its chain running until Ctrl-C')
  .option('--to <version>', 'model version (manifest "version") or model id under models/')
  .option('--model <id>', 'model id under models/ (when --to is a version several models share, or instead of --to)')
  .option('--rate <n>', 'images per second the replay extracts at most (0: no cap)', number(0, 100_000), 0)
  .option('--index-dir <dir>', 'root of the shard folders, the version goes to <dir>/<version> (default <repo>/.data/demo/index, beside the demo\'s)')
  .option('--index-port <n>', 'HTTP port of the new index-writer (0: a free one)', number(0, 65_535), 0)
  .option('--no-cutover', 'stay on the current active version once caught up')
  .option('--no-serve', 'stop the new chain after the cutover instead of serving until Ctrl-C')
  .option('--progress-every <s>', 'seconds between progress lines when the output is not a terminal', number(1, 3600), 2)
  .action((opts: Omit<MigrateOptions, 'topic'>) => {
    const topic = program.opts<{ topic?: string }>().topic;
    return run(() => migrate(migrationContext(topic), { ...opts, ...(topic === undefined ? {} : { topic }) }));
  });

program
  .command('status')
  .description('the active version and each registered version\'s state, owners and replay position')
  .action(() => run(() => status(migrationContext(program.opts<{ topic?: string }>().topic))));

program
  .command('cutover')
  .description('make a registered version the active one (refused while its replay is behind, unless --force)')
  .requiredOption('--to <version>', 'registered model version')
  .option('--force', 'cut over even if the replay is behind')
  .action((opts: { to: string; force?: boolean }) => run(() => cutover(migrationContext(program.opts<{ topic?: string }>().topic), opts.to, opts.force === true)));

program
  .command('cleanup')
  .description('retire a version that is not active: searches stop using it, its chain stops, its shards, groups and dedupe changelog are removed')
  .requiredOption('--version <version>', 'the old model version')
  .option('--timeout <s>', 'how long to wait for its index-writer to stop', number(1, 3600), 60)
  .action((opts: { version: string; timeout: number }) => run(() => cleanup(migrationContext(program.opts<{ topic?: string }>().topic), opts.version, opts.timeout)));

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`model: ${reasonOf(err)}\n`);
  process.exit(2);
});
