/**
 * Offline checks of the stack's configuration files with the real tools
 * (promtool and amtool from Debian's prometheus packages, docker-compose v1
 * from Debian's docker-compose package); no service is contacted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { localPrometheusConfig } from '../../deploy/local/prometheus/prometheus-config';

const run = promisify(execFile);
const repo = resolve(__dirname, '..', '..');
const alertFiles = readdirSync(join(repo, 'alerts'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(repo, 'alerts', f));

describe('alert rules', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', ...alertFiles]);
    expect(stdout).toMatch(/SUCCESS/);
  });

  it('pass their promtool rule tests', async () => {
    const tests = readdirSync(join(repo, 'alerts', 'tests')).filter((f) => f.endsWith('.yml'));
    expect(tests.length).toBeGreaterThan(0);
    await run('promtool', ['test', 'rules', ...tests], { cwd: join(repo, 'alerts', 'tests') });
  });

  it('each alert has a severity, a summary, a description and a runbook that exists', () => {
    for (const file of alertFiles) {
      for (const match of readFileSync(file, 'utf8').matchAll(/runbook_url: (\S+)/g)) {
        expect(() => readFileSync(join(repo, match[1] ?? ''), 'utf8')).not.toThrow();
      }
    }
  });
});

describe('Prometheus configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'prom-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the local stack rendering passes promtool check config (rules included)', async () => {
    const file = join(dir, 'prometheus.yml');
    const template = readFileSync(join(repo, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    writeFileSync(file, localPrometheusConfig(template, { prometheusPort: 9090, alertmanagerPort: 9093, ruleFilesGlob: join(repo, 'alerts', '*.yml'), targetFilesGlob: join(dir, '*.json') }));
    const { stdout } = await run('promtool', ['check', 'config', file]);
    expect(stdout).toMatch(/SUCCESS: 1 rule files found|SUCCESS/);
  });

  it('the Docker file passes promtool check config', async () => {
    await run('promtool', ['check', 'config', join(repo, 'deploy', 'prometheus', 'prometheus.yml')]);
  });
});

describe('Alertmanager configurations', () => {
  it('the local one and the production example pass amtool check-config', async () => {
    const files = ['alertmanager.yml', 'alertmanager.production.example.yml'].map((f) => join(repo, 'deploy', 'alertmanager', f));
    const { stdout } = await run('amtool', ['check-config', ...files]);
    expect(stdout.match(/SUCCESS/g)).toHaveLength(2);
  });
});

describe('docker-compose.kafka.yml', () => {
  it('is a valid compose file (docker-compose config, offline)', async () => {
    await run('docker-compose', ['-f', join(repo, 'docker-compose.kafka.yml'), 'config', '-q'], { cwd: repo });
  });

  it('offers every component on the ports of the local stack', async () => {
    const { stdout } = await run('docker-compose', ['-f', join(repo, 'docker-compose.kafka.yml'), 'config', '--services'], { cwd: repo });
    expect(stdout.trim().split('\n').sort()).toEqual(['alertmanager', 'clickhouse', 'elasticsearch', 'grafana', 'kafka', 'prometheus', 'schema-registry']);
    const text = readFileSync(join(repo, 'docker-compose.kafka.yml'), 'utf8');
    for (const port of ['STACK_KAFKA_PORT:-9092', 'STACK_SCHEMA_REGISTRY_PORT:-8081', 'STACK_ELASTICSEARCH_PORT:-9200', 'STACK_PROMETHEUS_PORT:-9090', 'STACK_ALERTMANAGER_PORT:-9093']) {
      expect(text).toContain(port);
    }
  });
});
