import { parse, stringify } from 'yaml';

interface AlertRule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ShortenedRuleOptions {
  /** The alert to take from the production file, e.g. VectorsStoppedArriving. */
  readonly alert: string;
  /** Rule group name in the output (unique per test run). */
  readonly group: string;
  /** Evaluation interval of that group, e.g. 5s. */
  readonly interval: string;
  /** Replaces every range selector `[...]` of the expression, e.g. 45s. */
  readonly range: string;
  /** Replaces `for:`. */
  readonly for: string;
  /** Exact label matchers to swap, e.g. `topic=~"vector-extracted|vector-cleaned"` → `topic="it-ve-…"`; each must occur. */
  readonly matchers: ReadonlyArray<readonly [from: string, to: string]>;
  /** Added to the rule's labels (e.g. the test run id, so the test finds its own alert). */
  readonly labels: Record<string, string>;
}

/**
 * A Prometheus rule file holding one production alert with its windows
 * shortened and its topics swapped for a test's own: the expression under test
 * is the production one, not a copy that could drift. Throws when the
 * production rule no longer has the shape the swap expects (a matcher or a
 * range selector is missing), so such a change fails the test loudly.
 */
export function shortenedAlertRule(productionRulesYaml: string, options: ShortenedRuleOptions): string {
  const file = parse(productionRulesYaml) as { groups: { rules: AlertRule[] }[] };
  const rule = file.groups.flatMap((g) => g.rules).find((r) => r.alert === options.alert);
  if (rule === undefined) throw new Error(`no alert ${options.alert} in the production rules`);
  let expr = rule.expr;
  for (const [from, to] of options.matchers) {
    if (!expr.includes(from)) throw new Error(`${options.alert}: its expression no longer contains ${from}`);
    expr = expr.split(from).join(to);
  }
  const ranges = /\[[0-9]+[smhdwy]\]/g;
  if (!ranges.test(expr)) throw new Error(`${options.alert}: its expression has no range selector to shorten`);
  expr = expr.replace(ranges, `[${options.range}]`);
  const shortened: AlertRule = { ...rule, expr, for: options.for, labels: { ...rule.labels, ...options.labels } };
  return stringify({ groups: [{ name: options.group, interval: options.interval, rules: [shortened] }] });
}
