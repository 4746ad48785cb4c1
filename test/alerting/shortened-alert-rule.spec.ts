import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { shortenedAlertRule } from './shortened-alert-rule';

const production = readFileSync(join(__dirname, '..', '..', 'alerts', 'pipeline.yml'), 'utf8');
const options = {
  alert: 'VectorsStoppedArriving',
  group: 'e2e-run1',
  interval: '5s',
  range: '45s',
  for: '15s',
  matchers: [
    ['topic=~"vector-extracted|vector-cleaned"', 'topic="t-ve"'],
    ['topic="image-arrived"', 'topic="t-ia"'],
  ] as const,
  labels: { test_run: 'run1' },
};

interface Out {
  groups: { name: string; interval: string; rules: { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[];
}

describe('shortenedAlertRule', () => {
  it('keeps the production expression with the test topics, shorter ranges and for, and extra labels', () => {
    const out = parse(shortenedAlertRule(production, options)) as Out;
    const [group] = out.groups;
    expect({ name: group?.name, interval: group?.interval }).toEqual({ name: 'e2e-run1', interval: '5s' });
    const rule = group?.rules[0];
    expect(rule?.alert).toBe('VectorsStoppedArriving');
    expect(rule?.for).toBe('15s');
    expect(rule?.labels).toEqual({ severity: 'critical', test_run: 'run1' });
    expect(rule?.annotations.runbook_url).toBe('docs/runbooks/VectorsStoppedArriving.md');
    expect(rule?.expr).toContain('topic="t-ve"');
    expect(rule?.expr).toContain('topic="t-ia"');
    expect(rule?.expr).not.toMatch(/vector-extracted|image-arrived|\[2m\]/);
    expect(rule?.expr.match(/\[45s\]/g)).toHaveLength(2);
  });

  it('fails loudly when the production rule lost a matcher it swaps', () => {
    expect(() => shortenedAlertRule(production.replace('topic="image-arrived"', 'topic="images"'), options)).toThrow(/no longer contains topic="image-arrived"/);
    expect(() => shortenedAlertRule(production, { ...options, alert: 'NoSuchAlert' })).toThrow(/no alert NoSuchAlert/);
  });
});
