#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { ConfigError, reasonOf } from '@stylestream/errors';
import { allContracts } from '../contracts/contracts';
import { RegistryRestClient } from '../registry/registry-rest-client';
import { checkHistoryOffline, checkHistoryWithRegistry, checkLiveRegistry, formatTable, registerContracts, type CheckRow } from './compatibility-check';
import { loadReleasedHistory, releasedHistoryDir } from './released-history';
import { releaseContracts } from './schema-release';
import { authOf, loadSchemasCliConfig } from './schemas-cli.config';

/** Exit codes: 0 ok, 1 an incompatible schema, 2 could not run (registry down, bad config, bad file). */
export const EXIT_INCOMPATIBLE = 1;
export const EXIT_FAILED = 2;

type Against = 'history' | 'registry' | 'all';

function client(): RegistryRestClient {
  const config = loadSchemasCliConfig();
  const auth = authOf(config.SCHEMA_REGISTRY_USER_INFO);
  return new RegistryRestClient(config.SCHEMA_REGISTRY_URL, auth === undefined ? {} : { auth });
}

function printChecks(rows: CheckRow[]): number {
  process.stdout.write(`${formatTable(['subject', 'against', 'result', 'detail'], rows.map((r) => [r.subject, r.against, r.outcome, r.detail]))}\n`);
  const bad = rows.filter((r) => r.outcome === 'INCOMPATIBLE');
  process.stdout.write(bad.length === 0 ? 'all schemas are BACKWARD compatible\n' : `${bad.length} incompatible (see above)\n`);
  return bad.length === 0 ? 0 : EXIT_INCOMPATIBLE;
}

async function register(): Promise<number> {
  const rows = await registerContracts(client(), allContracts());
  process.stdout.write(`${formatTable(['subject', 'id', 'version'], rows.map((r) => [r.subject, String(r.id), String(r.version)]))}\n`);
  return 0;
}

async function check(options: { against: Against; offline: boolean }): Promise<number> {
  const contracts = allContracts();
  const history = loadReleasedHistory();
  if (options.offline) return printChecks(checkHistoryOffline(contracts, history));
  const registry = client();
  const rows: CheckRow[] = [];
  if (options.against !== 'registry') {
    rows.push(...(await checkHistoryWithRegistry(registry, contracts, history, `_schemas-check-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`)));
  }
  if (options.against !== 'history') rows.push(...(await checkLiveRegistry(registry, contracts)));
  return printChecks(rows);
}

function release(): number {
  const contracts = allContracts();
  const history = loadReleasedHistory();
  const verdict = checkHistoryOffline(contracts, history);
  if (verdict.some((r) => r.outcome === 'INCOMPATIBLE')) {
    process.stderr.write('refusing to release: the working copy is not compatible with the released history\n');
    return printChecks(verdict);
  }
  const rows = releaseContracts(contracts, history, releasedHistoryDir());
  process.stdout.write(`${formatTable(['contract', 'action', 'version', 'path'], rows.map((r) => [r.contract, r.action, `v${r.version}`, r.path]))}\n`);
  return 0;
}

export function buildSchemasCli(run: (job: () => Promise<number> | number) => void): Command {
  const program = new Command('schemas').description('Register and check the Avro contracts in schemas/avro against a schema registry (SCHEMA_REGISTRY_URL).');
  program
    .command('register')
    .description('set every subject to BACKWARD and register the current schemas; prints subject, id, version')
    .action(() => run(register));
  program
    .command('check')
    .description('check the current schemas against the released history (fresh scratch subjects) and the live registry; exit 1 on any incompatibility')
    .option('--against <what>', 'history | registry | all', 'all')
    .option('--offline', 'check against the released history with avsc schema resolution, without a registry', false)
    .action((opts: { against: string; offline: boolean }) => {
      if (opts.against !== 'history' && opts.against !== 'registry' && opts.against !== 'all') {
        run(() => {
          throw new ConfigError([`--against must be history, registry or all (got ${JSON.stringify(opts.against)})`]);
        });
        return;
      }
      run(() => check({ against: opts.against as Against, offline: opts.offline }));
    });
  program
    .command('release')
    .description('freeze changed schemas as the next version under schemas/avro/released/<contract>/ (after an offline compatibility check)')
    .action(() => run(release));
  return program;
}

function runAndExit(job: () => Promise<number> | number): void {
  Promise.resolve()
    .then(job)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        process.stderr.write(`schemas: ${reasonOf(err)}\n`);
        process.exitCode = EXIT_FAILED;
      },
    );
}

if (require.main === module) {
  buildSchemasCli(runAndExit).parse(process.argv);
}
