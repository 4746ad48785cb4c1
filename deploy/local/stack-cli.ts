import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '@stylestream/errors';
import { StackError } from './stack-error';
import { stackDown } from './stack-down';
import { stackLogs } from './stack-logs';
import { readTopology } from './stack-services';
import { StackLayout } from './stack-layout';
import { clientEnvironment, loadStackSettings, StackSettings } from './stack-settings';
import { stackStatus, StatusRow } from './stack-status';
import { stackUp } from './stack-up';
import { renderTable, seconds } from './status-table';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function statusTable(rows: readonly StatusRow[], withMemory: boolean): string {
  const header = ['component', 'version', 'port', 'pid', ...(withMemory ? ['rss'] : []), 'health'];
  return renderTable(
    header,
    rows.map((r) => [r.component, r.version, r.port, r.pid, ...(withMemory ? [r.rssMiB === undefined ? '-' : `${r.rssMiB} MiB`] : []), r.health]),
  );
}

function printClientEnvironment(settings: StackSettings, brokers: number): void {
  for (const [name, value] of Object.entries(clientEnvironment(settings, brokers))) say(`export ${name}=${value}`);
}

function parseBrokers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new InvalidArgumentError('a whole number from 1 to 9 (3 for a cluster)');
  return n;
}

async function up(options: { brokers: number }): Promise<void> {
  const settings = loadStackSettings();
  const started = Date.now();
  say(`stack dir: ${settings.stackDir}; kafka brokers: ${options.brokers}`);
  const report = await stackUp(settings, options.brokers, say);
  say('');
  say(statusTable(await stackStatus(settings), true));
  say('');
  printClientEnvironment(settings, options.brokers);
  say('');
  say(`install: ${seconds(report.installMs)}${report.installed.length === 0 ? ' (cached, nothing installed)' : ` (cold install of ${report.installed.join(', ')})`}`);
  say(`start:   ${seconds(report.startMs)}${report.installed.length === 0 ? ' (warm start)' : ''}`);
  say(`total:   ${seconds(Date.now() - started)}`);
}

async function down(): Promise<void> {
  const outcomes = await stackDown(loadStackSettings());
  if (outcomes.size === 0) say('nothing was running');
  for (const [name, outcome] of outcomes) say(`${name}: ${outcome}`);
}

async function status(options: { memory?: boolean }): Promise<void> {
  const settings = loadStackSettings();
  say(statusTable(await stackStatus(settings), options.memory === true));
}

function env(): void {
  const settings = loadStackSettings();
  printClientEnvironment(settings, readTopology(new StackLayout(settings.stackDir)).brokers);
}

const program = new Command()
  .name('stack')
  .description('The local StyleStream stack without Docker: Kafka, schema registry, Elasticsearch, Prometheus, Alertmanager (installed into $STACK_DIR, default .stack/)')
  .showHelpAfterError();

program
  .command('up')
  .description('install what is missing, start everything on 127.0.0.1 and wait until healthy')
  .option('--brokers <n>', 'Kafka nodes (KRaft, combined broker+controller)', parseBrokers, 1)
  .action(up);
program.command('down').description('stop what up started (SIGTERM, then SIGKILL after a deadline)').action(down);
program.command('status').description('table of component, version, port, pid, health').option('-m, --memory', 'add resident memory per component').action(status);
program
  .command('logs')
  .argument('[component]', 'kafka, kafka-2, elasticsearch, prometheus, alertmanager, schema-registry (default: all)')
  .option('-n, --lines <n>', 'lines per log', (v) => Number.parseInt(v, 10), 40)
  .description('print the tail of the logs')
  .action((component: string | undefined, options: { lines: number }) => say(stackLogs(loadStackSettings().stackDir, component, options.lines)));
program.command('env').description('print the client addresses as export lines (eval "$(npm run -s stack -- env)")').action(env);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof StackError || err instanceof ConfigError) {
    process.stderr.write(`stack: ${err.message}\n`);
  } else {
    process.stderr.write(`stack: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exitCode = 1;
});
