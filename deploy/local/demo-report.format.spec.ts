import { emptyLabels } from '@stylestream/schemas';
import type { ArrivalsReport } from './demo-arrivals';
import { compactJson, formatArrivals, formatPhaseTimes, formatServeInfo } from './demo-report.format';

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
    const text = formatServeInfo({ ingestUrl: 'http://127.0.0.1:8090', apiKey: 'demo-key-123', stack, logFile: '/r/.data/demo/ingest-api.log', stopsStack: true });
    expect(text).toContain('http://127.0.0.1:8090/docs');
    expect(text).toContain('http://127.0.0.1:8081/subjects');
    expect(text).toContain("curl -sS -X POST http://127.0.0.1:8090/v1/images -H 'x-api-key: demo-key-123'");
    expect(text).toContain('and the stack (this demo started it)');
  });

  it('compact JSON keeps arrays of plain values on one line', () => {
    expect(compactJson({ a: ['x', 'y'], b: [], c: { d: 1 } })).toBe('{\n  "a": ["x", "y"],\n  "b": [],\n  "c": {\n    "d": 1\n  }\n}');
  });
});
