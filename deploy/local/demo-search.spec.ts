import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatImageSearch } from './demo-report.format';
import { pickQueryImage } from './demo-search';

describe('pickQueryImage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-query-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const touch = (...parts: string[]): string => {
    mkdirSync(join(dir, ...parts.slice(0, -1)), { recursive: true });
    const file = join(dir, ...parts);
    writeFileSync(file, 'x');
    return file;
  };

  it('prefers an image under validation/, in sorted order', () => {
    touch('train', 'dress', 'a.jpg');
    touch('validation', 'shirt', 'b.jpg');
    const expected = touch('validation', 'hat', 'c.png');
    expect(pickQueryImage(dir)).toBe(expected);
  });

  it('falls back to the first image; none when there is no image', () => {
    touch('manifest.json');
    expect(pickQueryImage(dir)).toBeUndefined();
    const first = touch('dress', 'dress-0001.png');
    touch('hat', 'hat-0001.png');
    expect(pickQueryImage(dir)).toBe(first);
  });
});

describe('formatImageSearch', () => {
  it('prints the query, the version and coverage, and one row per hit with labels', () => {
    const text = formatImageSearch('/data/validation/hat/c.jpg', 'http://127.0.0.1:8092', {
      hits: [
        { id: 'img-1', score: 0.99991, uri: 'file:///data/validation/hat/c.jpg', labels: { category: ['hat'], color: [] } },
        { id: 'img-2', score: 0.81234, labels: {} },
      ],
      modelVersion: '1.0.0',
      partial: false,
      coverage: { shards: 6, answered: 6 },
      tookMs: 12,
    });
    expect(text).toContain('search by image (POST http://127.0.0.1:8092/v1/search/image, k=2): /data/validation/hat/c.jpg');
    expect(text).toContain('model version 1.0.0, 6/6 shards answered, 12 ms');
    expect(text).toMatch(/1\s+\|?\s*0\.9999\s+\|?\s*img-1\s+\|?\s*category=hat\s+\|?\s*\.\.\.\/hat\/c\.jpg/);
    expect(text).toMatch(/2\s+\|?\s*0\.8123\s+\|?\s*img-2\s+\|?\s*-\s+\|?\s*-/);
  });

  it('flags a partial answer', () => {
    expect(formatImageSearch('q.png', 'http://s', { hits: [], partial: true, coverage: { shards: 2, answered: 1 }, tookMs: 3 })).toContain('1/2 shards answered (PARTIAL)');
  });
});
