/**
 * The Alertmanager configurations of deploy/alertmanager: amtool accepts both,
 * and the production example routes by severity (critical pages and posts,
 * warning posts, info goes to the digest). Needs amtool on PATH (Debian package
 * `prometheus-alertmanager`, installed by deploy/local/system-packages.sh).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const local = join(__dirname, 'alertmanager.yml');
const production = join(__dirname, 'alertmanager.production.example.yml');

async function receiversFor(config: string, labels: string[]): Promise<string> {
  const { stdout } = await run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels]);
  return stdout.trim();
}

describe('deploy/alertmanager', () => {
  it.each([local, production])('amtool check-config accepts %s', async (file) => {
    const { stdout } = await run('amtool', ['check-config', file]);
    expect(stdout).toContain('SUCCESS');
  });

  it.each([
    ['critical', 'on-call,team-channel'],
    ['warning', 'team-channel'],
    ['info', 'digest'],
  ])('production example: severity=%s goes to %s', async (severity, receivers) => {
    expect(await receiversFor(production, ['alertname=VectorsStoppedArriving', `severity=${severity}`, 'topic=vector-extracted'])).toBe(receivers);
  });

  it('production example: an alert without a severity still reaches the team channel', async () => {
    expect(await receiversFor(production, ['alertname=Unlabelled'])).toBe('team-channel');
  });

  it('local stack: every alert is kept on the local receiver (no pager on a developer machine)', async () => {
    expect(await receiversFor(local, ['alertname=VectorsStoppedArriving', 'severity=critical'])).toBe('local');
  });

  it('production example: group_wait is the 30 s the VectorsStoppedArriving runbook counts on', () => {
    const config = parse(readFileSync(production, 'utf8')) as { route: { group_wait: string } };
    expect(config.route.group_wait).toBe('30s');
  });
});
