import { emptyLabels } from '@stylestream/schemas';
import type { ArrivalsReport } from './demo-arrivals';
import { compactJson, formatArrivals, formatChainSummary, formatCatalogSummary, formatPhaseTimes, formatServeInfo, formatTrendSummary } from './demo-report.format';

const report = (over: Partial<ArrivalsReport> = {}): ArrivalsReport => ({
  topic: 'image-arrived',
  partitions: [
    { partition: 0, low: 0, high: 7, before: 5 },
    { partition: 1, low: 2, high: 4, before: 2 },
  ],
  total: 9,
  thisRun: 4,
  byCategory: new Map([
    ['shirt', { thisRun: 1, total: 3 }],
    ['dress', { thisRun: 3, total: 6 }],
  ]),
  tombstones: 0,
  undecodable: { count: 0 },
  ...over,
});

describe('demo report format', () => {
  it('chain summary: counts by dedup status and dead letters per .dlq', () => {
    const text = formatChainSummary({
      vectorExtracted: 40,
      cleaned: { UNIQUE: 36, EXACT_DUPLICATE: 4, NEAR_DUPLICATE: 0 },
      indexUpdated: 40,
      deadLetters: [{ topic: 'image-arrived.dlq', count: 0 }, { topic: 'vector-extracted.dlq', count: 1 }],
    });
    expect(text).toBe('chain: 40 vector-extracted, 40 vector-cleaned (UNIQUE 36, EXACT_DUPLICATE 4, NEAR_DUPLICATE 0), 40 index-updated\ndead letters: image-arrived.dlq 0, vector-extracted.dlq 1\n');
  });

  it('arrivals: the headline, offsets per partition, categories sorted, a sample', () => {
    const value = { imageId: 'img-1', uri: 'file:///x/dress/a.png', source: 'ecommerce' as const, publishedAt: 1, crawledAt: 2, labels: { ...emptyLabels(), category: ['dress'] }, attributes: {} };
    const text = formatArrivals(report({ sample: { partition: 0, offset: 5, key: 'img-1', value, inThisRun: true } }));
    expect(text.split('\n')[0]).toBe('arrivals: 4 this run, 9 on the topic (image-arrived)');
    expect(text).toMatch(/^0 +0 +5 +7 +2$/m);
    expect(text).toMatch(/^1 +2 +2 +4 +2$/m);
    expect(text.indexOf('dress')).toBeLessThan(text.indexOf('shirt'));
    expect(text).toContain('sample event (partition 0, offset 5, key img-1):');
    expect(text).toContain('"category": ["dress"]');
    expect(text).not.toContain('tombstones');
  });

  it('arrivals: a missing topic, tombstones and undecodable records are said', () => {
    expect(formatArrivals(report({ partitions: [], total: 0, thisRun: 0 }))).toBe('arrivals: 0 this run, 0 on the topic (image-arrived); the topic does not exist yet\n');
    const text = formatArrivals(report({ tombstones: 2, undecodable: { count: 1, firstReason: 'magic byte 7' } }));
    expect(text).toContain('tombstones (take-downs): 2');
    expect(text).toContain('not decodable as image-arrived: 1 (first: magic byte 7)');
  });

  it('phase times end with the total', () => {
    const text = formatPhaseTimes([
      { name: 'stack up', ms: 12_340 },
      { name: 'ingest', ms: 660 },
    ]);
    expect(text).toMatch(/^stack up +12\.3 s$/m);
    expect(text).toMatch(/^total +13\.0 s$/m);
  });

  it('serve info: URLs, the key, a curl and who stops the stack', () => {
    const stack = { SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081', ELASTICSEARCH_URL: 'http://127.0.0.1:9200', PROMETHEUS_URL: 'http://127.0.0.1:9090', ALERTMANAGER_URL: 'http://127.0.0.1:9093' };
    const apps = { catalog: 'http://127.0.0.1:8096', analytics: 'http://127.0.0.1:8093', lagMonitor: 'http://127.0.0.1:8095' };
    const text = formatServeInfo({ ingestUrl: 'http://127.0.0.1:8090', apiKey: 'demo-key-123', stack, apps, logDir: '/r/.data/demo', stopsStack: true, serving: true });
    expect(text).toContain('http://127.0.0.1:8090/docs');
    for (const url of ['http://127.0.0.1:8096/docs', 'http://127.0.0.1:8093/docs', 'http://127.0.0.1:8095/v1/lag']) expect(text).toContain(url);
    expect(text).toContain('http://127.0.0.1:8081/subjects');
    expect(text).toContain("curl -sS -X POST http://127.0.0.1:8090/v1/images -H 'x-api-key: demo-key-123'");
    expect(text).toContain('and the stack (this demo started it)');
  });

  it('serve info with --no-serve: no ingest API and no curl, the apps stop', () => {
    const text = formatServeInfo({ ingestUrl: 'http://127.0.0.1:8090', apiKey: 'k', stack: {}, apps: { catalog: 'http://127.0.0.1:8096' }, logDir: '/r', stopsStack: false, serving: false });
    expect(text).not.toContain('8090');
    expect(text).toContain('--no-serve: the apps stop now.');
  });

  it('catalogue summary: total, top facet values, and the page of the most common category', () => {
    const text = formatCatalogSummary({
      url: 'http://c',
      total: 40,
      facets: { category: [{ value: 'dress', count: 5 }, { value: 'hat', count: 4 }], color: [] },
      page: { category: 'dress', total: 5, images: [{ imageId: 'img-1', uri: 'file:///a/b/dress/dress-0001.png', labels: { category: ['dress'] } }] },
    });
    expect(text.split('\n')[0]).toBe('catalogue: 40 live images (GET http://c/v1/images?size=0)');
    expect(text).toMatch(/^category +dress 5, hat 4$/m);
    expect(text).not.toMatch(/^color/m);
    expect(text).toContain('GET http://c/v1/images?category=dress&size=1 -> 5 images');
    expect(text).toMatch(/^img-1 +\.\.\.\/dress\/dress-0001\.png +category=dress$/m);
  });

  it('trend summary: headline and one row per value with its share in percent', () => {
    const text = formatTrendSummary({
      url: 'http://a', quarter: '2026Q4', previousQuarter: '2026Q3', dimension: 'category', images: 40, previousImages: 0,
      values: [{ value: 'dress', count: 10, previousCount: 0, share: 0.25 }],
    });
    expect(text.split('\n')[0]).toContain('analytics trends 2026Q4 by category: 40 images (2026Q3: 0)');
    expect(text).toMatch(/^dress +10 +25\.0 % +0$/m);
  });

  it('compact JSON keeps arrays of plain values on one line', () => {
    expect(compactJson({ a: ['x', 'y'], b: [], c: { d: 1 } })).toBe('{\n  "a": ["x", "y"],\n  "b": [],\n  "c": {\n    "d": 1\n  }\n}');
  });
});
