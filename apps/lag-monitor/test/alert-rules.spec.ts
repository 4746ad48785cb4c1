/**
 * The alert rules of alerts/*.yml (those built on the lag monitor's metrics
 * and the stage metric contract): promtool accepts them, their promtool unit
 * tests pass, and every alert has a runbook and a firing and a silent test
 * case. Needs promtool on PATH (Debian package `prometheus`; CI installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const alertsDir = resolve(__dirname, '..', '..', '..', 'alerts');
const repo = resolve(alertsDir, '..');
const ruleFiles = readdirSync(alertsDir).filter((f) => f.endsWith('.yml')).map((f) => join(alertsDir, f));
const testFiles = readdirSync(join(alertsDir, 'tests')).filter((f) => f.endsWith('.yml'));

interface Rule {
  alert?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[] | null;
}

const rules: Rule[] = ruleFiles.flatMap((f) => (parse(readFileSync(f, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules));
const alertTests: AlertTest[] = testFiles.flatMap((f) =>
  (parse(readFileSync(join(alertsDir, 'tests', f), 'utf8')) as { tests: Array<{ alert_rule_test?: AlertTest[] }> }).tests.flatMap((t) => t.alert_rule_test ?? []),
);

describe('alerts/', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it('passes promtool test rules', async () => {
    await expect(run('promtool', ['test', 'rules', ...testFiles], { cwd: join(alertsDir, 'tests') })).resolves.toBeDefined();
  }, 30_000);

  it.each(['VectorsStoppedArriving', 'ConsumerLagHigh', 'ConsumerStalled', 'ConsumerStopped', 'DeadLetterRateHigh', 'ExtractorErrorRateHigh', 'IndexSnapshotStale', 'SearchPartialResults', 'SearchLatencyHigh', 'SinkBackpressure'])(
    '%s exists with severity, summary, description, an existing runbook, and a firing and a silent test',
    (name) => {
      const rule = rules.find((r) => r.alert === name);
      expect(rule?.labels?.severity).toMatch(/^(critical|warning|info)$/);
      expect(rule?.annotations?.summary).toBeTruthy();
      expect(rule?.annotations?.description).toBeTruthy();
      expect(rule?.annotations?.runbook_url).toBe(`docs/runbooks/${name}.md`);
      expect(existsSync(join(repo, `docs/runbooks/${name}.md`))).toBe(true);
      const cases = alertTests.filter((t) => t.alertname === name);
      expect(cases.some((t) => (t.exp_alerts ?? []).length > 0)).toBe(true);
      expect(cases.some((t) => (t.exp_alerts ?? []).length === 0)).toBe(true);
    },
  );
});
