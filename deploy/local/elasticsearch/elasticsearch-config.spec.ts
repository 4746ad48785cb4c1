import { parse } from 'yaml';
import { elasticsearchJavaOpts, elasticsearchYml } from './elasticsearch-config';

describe('elasticsearchYml', () => {
  const yml = parse(elasticsearchYml({ port: 9200, transportPort: 9300, dataDir: '/data', logsDir: '/logs' })) as Record<string, unknown>;

  it('runs one node on 127.0.0.1 with security off and disk thresholds disabled', () => {
    expect(yml).toMatchObject({
      'network.host': '127.0.0.1',
      'http.port': 9200,
      'transport.port': 9300,
      'discovery.type': 'single-node',
      'xpack.security.enabled': false,
      'cluster.routing.allocation.disk.threshold_enabled': false,
      'path.data': '/data',
      'path.logs': '/logs',
    });
  });

  it('sets nothing from modules the integ-test zip lacks', () => {
    expect(Object.keys(yml).filter((k) => k.startsWith('ingest.geoip'))).toEqual([]);
  });
});

describe('elasticsearchJavaOpts', () => {
  it('fixes the heap', () => {
    expect(elasticsearchJavaOpts('512m', false)).toBe('-Xms512m -Xmx512m');
    expect(elasticsearchJavaOpts('1g', true)).toBe('-Xms1g -Xmx1g -XX:TieredStopAtLevel=1');
  });
});
