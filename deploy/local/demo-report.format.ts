import type { ArrivalsReport } from './demo-arrivals';
import type { ImageSearchAnswer, ImageSearchHit } from './demo-search';
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

/** What the catalogue answered: facet counts, then one page of the most common category. */
export interface CatalogSummary {
  url: string;
  total: number;
  facets: Partial<Record<string, { value: string; count: number }[]>>;
  page?: { category: string; total: number; images: { imageId: string; uri: string | null; labels: Partial<Record<string, string[]>> }[] };
}

/** "catalogue: 40 live images", the top values per facet, and a page of category=<most common>. */
export function formatCatalogSummary(summary: CatalogSummary, topN = 5): string {
  const lines = [`catalogue: ${summary.total} live images (GET ${summary.url}/v1/images?size=0)`, ''];
  const facetRows = Object.entries(summary.facets).flatMap(([dimension, values]) =>
    (values ?? []).length === 0
      ? []
      : [[dimension, (values ?? []).slice(0, topN).map((v) => `${v.value} ${v.count}`).join(', ') + ((values ?? []).length > topN ? ', ...' : '')]],
  );
  lines.push(facetRows.length === 0 ? '(no facet values)' : renderTable(['facet', `top values (count)`], facetRows));
  if (summary.page !== undefined) {
    const { category, total, images } = summary.page;
    lines.push('', `label search: GET ${summary.url}/v1/images?category=${encodeURIComponent(category)}&size=${images.length} -> ${total} images, first ${images.length}:`);
    lines.push(renderTable(['image id', 'uri', 'labels'], images.map((i) => [i.imageId, shortUri(i.uri), Object.entries(i.labels).flatMap(([d, v]) => ((v ?? []).length === 0 ? [] : [`${d}=${(v ?? []).join('|')}`])).join(' ')])));
  }
  return `${lines.join('\n')}\n`;
}

/** The analytics answer for one quarter and dimension (a subset of its TrendStats). */
export interface TrendSummary {
  url: string;
  quarter: string;
  previousQuarter: string;
  dimension: string;
  images: number;
  previousImages: number;
  values: { value: string; count: number; previousCount: number; share: number }[];
}

/** "trends 2026Q4 by category: 40 images (previous quarter 0)" and one row per value with its share. */
export function formatTrendSummary(t: TrendSummary): string {
  const head = `analytics trends ${t.quarter} by ${t.dimension}: ${t.images} images (${t.previousQuarter}: ${t.previousImages}) (GET ${t.url}/v1/stats/trends?quarter=${t.quarter}&dimension=${t.dimension})`;
  if (t.values.length === 0) return `${head}\n(no values)\n`;
  const rows = t.values.map((v) => [v.value, String(v.count), `${(v.share * 100).toFixed(1)} %`, String(v.previousCount)]);
  return `${head}\n\n${renderTable([t.dimension, 'count', 'share', t.previousQuarter], rows)}\n`;
}

function shortUri(uri: string | null): string {
  if (uri === null) return '';
  const parts = uri.split('/');
  return parts.length <= 2 ? uri : `.../${parts.slice(-2).join('/')}`;
}

export interface ServeInfo {
  ingestUrl: string;
  apiKey: string;
  /** clientEnvironment() of the stack: SCHEMA_REGISTRY_URL, ELASTICSEARCH_URL, PROMETHEUS_URL, ALERTMANAGER_URL. */
  stack: Record<string, string>;
  /** The other apps the demo started, e.g. { catalog: 'http://127.0.0.1:8096' }. */
  apps: { catalog?: string; analytics?: string; lagMonitor?: string; search?: string };
  logDir: string;
  stopsStack: boolean;
  /** false with --no-serve: the apps stop after the summary. */
  serving: boolean;
}

/** Where everything is, and a curl that posts an image (when serving). */
export function formatServeInfo(info: ServeInfo): string {
  const body = JSON.stringify({ uri: 'https://cdn.example.com/looks/look-1.jpg', source: 'street', labels: { category: 'dress', color: 'red' } });
  const { catalog, analytics, lagMonitor, search } = info.apps;
  const rows = [
    ...(info.serving ? [['ingest API', info.ingestUrl, `x-api-key: ${info.apiKey}`], ['ingest API docs', `${info.ingestUrl}/docs`, 'OpenAPI (Swagger UI)']] : []),
    ...(catalog === undefined ? [] : [['catalog', `${catalog}/v1/images?size=0`, 'label search with facets'], ['catalog docs', `${catalog}/docs`, 'OpenAPI']]),
    ...(search === undefined ? [] : [['search API', `${search}/v1/search/image`, `POST an image (x-api-key: ${info.apiKey})`], ['search API docs', `${search}/docs`, 'OpenAPI']]),
    ...(analytics === undefined
      ? []
      : [['dashboard', `${analytics}/dashboard`, 'trend charts'], ['analytics', `${analytics}/v1/stats/trends?quarter=<YYYYQn>&dimension=category`, 'trends, rising, followed bloggers'], ['analytics docs', `${analytics}/docs`, 'OpenAPI']]),
    ...(lagMonitor === undefined ? [] : [['lag monitor', `${lagMonitor}/v1/lag`, 'consumer lag of the demo groups']]),
    ['schema registry', `${info.stack.SCHEMA_REGISTRY_URL ?? '?'}/subjects`, 'registered subjects'],
    ['elasticsearch', `${info.stack.ELASTICSEARCH_URL ?? '?'}/_cluster/health`, ''],
    ['prometheus', `${info.stack.PROMETHEUS_URL ?? '?'}/targets`, 'the apps are scrape targets'],
    ['alertmanager', info.stack.ALERTMANAGER_URL ?? '?', ''],
  ];
  const lines = [renderTable(['service', 'url', 'note'], rows), '', `app logs: ${info.logDir}/<app>.log`, ''];
  if (!info.serving) return [...lines, '--no-serve: the apps stop now.', ''].join('\n');
  return [
    ...lines,
    'post an image:',
    `  curl -sS -X POST ${info.ingestUrl}/v1/images -H 'x-api-key: ${info.apiKey}' -H 'content-type: application/json' \\`,
    `    -d '${body}'`,
    ...(search === undefined ? [] : ['search by image:', `  curl -sS -X POST ${search}/v1/search/image -H 'x-api-key: ${info.apiKey}' -F image=@<some.jpg> -F k=5`]),
    '',
    `Ctrl-C stops the apps${info.stopsStack ? ' and the stack (this demo started it)' : '; the stack keeps running (it was running before the demo)'}.`,
    '',
  ].join('\n');
}

/** Indented JSON with arrays of plain values kept on one line. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.replace(/,\n\s*/g, ', ')}]`);
}

/** What the stages wrote this run (a subset of demo-chain's ChainSummary). */
export interface ChainCounts {
  vectorExtracted: number;
  cleaned: Partial<Record<string, number>>;
  indexUpdated: number;
  deadLetters: { topic: string; count: number }[];
}

/** "chain: 40 vector-extracted, 40 vector-cleaned (UNIQUE 36, EXACT_DUPLICATE 4, NEAR_DUPLICATE 0), 40 index-updated", then the dead letters. */
export function formatChainSummary(c: ChainCounts): string {
  const statuses = Object.entries(c.cleaned);
  const cleaned = statuses.reduce((sum, [, n]) => sum + (n ?? 0), 0);
  const lines = [
    `chain: ${c.vectorExtracted} vector-extracted, ${cleaned} vector-cleaned (${statuses.map(([s, n]) => `${s} ${n ?? 0}`).join(', ')}), ${c.indexUpdated} index-updated`,
    `dead letters: ${c.deadLetters.map((d) => `${d.topic} ${d.count}`).join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The search-by-image step: the query, then one row per hit (rank, score, id, labels, uri). */
export function formatImageSearch(query: string, url: string, answer: ImageSearchAnswer): string {
  const labels = (h: ImageSearchHit): string =>
    Object.entries(h.labels ?? {})
      .filter((e): e is [string, string[]] => Array.isArray(e[1]) && e[1].length > 0)
      .map(([key, values]) => `${key}=${values.join('|')}`)
      .join(' ');
  const rows = answer.hits.map((h, i) => [String(i + 1), h.score.toFixed(4), h.id, labels(h) || '-', h.uri === undefined || h.uri === null ? '-' : shortUri(h.uri)]);
  return [
    `search by image (POST ${url}/v1/search/image, k=${answer.hits.length}): ${query}`,
    `model version ${answer.modelVersion ?? '?'}, ${answer.coverage.answered}/${answer.coverage.shards} shards answered${answer.partial ? ' (PARTIAL)' : ''}, ${answer.tookMs} ms`,
    answer.hits.length === 0 ? '(no hits)' : renderTable(['#', 'score', 'id', 'labels', 'uri'], rows),
    '',
  ].join('\n');
}
