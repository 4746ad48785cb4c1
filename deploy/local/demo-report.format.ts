import type { ArrivalsReport } from './demo-arrivals';
import { renderTable, seconds } from './status-table';

/** One timed phase of the demo. */
export interface PhaseTime {
  name: string;
  ms: number;
}

/** "arrivals: 40 this run, 120 on the topic (image-arrived)", the offsets per partition, counts by category and a sample. */
export function formatArrivals(report: ArrivalsReport): string {
  const lines = [`arrivals: ${report.thisRun} this run, ${report.total} on the topic (${report.topic})`];
  if (report.partitions.length === 0) return `${lines[0] ?? ''}; the topic does not exist yet\n`;
  lines.push(
    '',
    renderTable(
      ['partition', 'first offset', 'end before', 'end offset', 'this run'],
      report.partitions.map((p) => [String(p.partition), String(p.low), String(p.before), String(p.high), String(p.high - p.before)]),
    ),
    '',
    renderTable(
      ['category', 'this run', 'on the topic'],
      [...report.byCategory.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([category, n]) => [category, String(n.thisRun), String(n.total)]),
    ),
  );
  if (report.tombstones > 0) lines.push(`tombstones (take-downs): ${report.tombstones}`);
  if (report.undecodable.count > 0) lines.push(`not decodable as image-arrived: ${report.undecodable.count} (first: ${report.undecodable.firstReason ?? '?'})`);
  if (report.sample !== undefined) {
    const { partition, offset, key, value, inThisRun } = report.sample;
    lines.push('', `sample event (partition ${partition}, offset ${offset}, key ${key}${inThisRun ? '' : ', from an earlier run'}):`, compactJson(value));
  }
  return `${lines.join('\n')}\n`;
}

/** The phase table and the total. */
export function formatPhaseTimes(phases: readonly PhaseTime[]): string {
  const total = phases.reduce((sum, p) => sum + p.ms, 0);
  return `${renderTable(['phase', 'time'], [...phases.map((p) => [p.name, seconds(p.ms)]), ['total', seconds(total)]])}\n`;
}

export interface ServeInfo {
  ingestUrl: string;
  apiKey: string;
  /** clientEnvironment() of the stack: SCHEMA_REGISTRY_URL, ELASTICSEARCH_URL, PROMETHEUS_URL, ALERTMANAGER_URL. */
  stack: Record<string, string>;
  logFile: string;
  stopsStack: boolean;
}

/** Where everything is, and a curl that posts one image. */
export function formatServeInfo(info: ServeInfo): string {
  const body = JSON.stringify({ uri: 'https://cdn.example.com/looks/look-1.jpg', source: 'street', labels: { category: 'dress', color: 'red' } });
  const rows = [
    ['ingest API', info.ingestUrl, `x-api-key: ${info.apiKey}; log ${info.logFile}`],
    ['API docs', `${info.ingestUrl}/docs`, 'OpenAPI (Swagger UI)'],
    ['schema registry', `${info.stack.SCHEMA_REGISTRY_URL ?? '?'}/subjects`, 'registered subjects'],
    ['elasticsearch', `${info.stack.ELASTICSEARCH_URL ?? '?'}/_cluster/health`, ''],
    ['prometheus', info.stack.PROMETHEUS_URL ?? '?', ''],
    ['alertmanager', info.stack.ALERTMANAGER_URL ?? '?', ''],
  ];
  return [
    renderTable(['service', 'url', 'note'], rows),
    '',
    'post an image:',
    `  curl -sS -X POST ${info.ingestUrl}/v1/images -H 'x-api-key: ${info.apiKey}' -H 'content-type: application/json' \\`,
    `    -d '${body}'`,
    '',
    `Ctrl-C stops the ingest API${info.stopsStack ? ' and the stack (this demo started it)' : '; the stack keeps running (it was running before the demo)'}.`,
    '',
  ].join('\n');
}

/** Indented JSON with arrays of plain values kept on one line. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.replace(/,\n\s*/g, ', ')}]`);
}
