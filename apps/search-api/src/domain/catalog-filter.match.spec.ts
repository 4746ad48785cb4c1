import type { CatalogImageFacts } from '@stylestream/catalog';
import { compileFilter, isUnfiltered } from './catalog-filter.match';

const facts = (over: Partial<CatalogImageFacts> = {}): CatalogImageFacts => ({
  imageId: 'img-1',
  uri: 'https://cdn.example/1.jpg',
  source: 'social',
  bloggerId: 'b-7',
  publishedAt: 1_000,
  labels: { color: ['red', 'blue'], category: ['dress'] },
  dedupeStatus: 'UNIQUE',
  duplicateOf: null,
  ...over,
});

describe('compileFilter', () => {
  it('ORs the values of one condition and ANDs the conditions', () => {
    const match = compileFilter({ labels: { color: ['green', 'blue'], category: ['dress'] }, source: ['social', 'runway'], bloggerIds: ['b-1', 'b-7'] });
    expect(match(facts())).toBe(true);
    expect(match(facts({ labels: { color: ['green'], category: ['hat'] } }))).toBe(false);
    expect(match(facts({ source: 'retail' }))).toBe(false);
    expect(match(facts({ bloggerId: 'b-2' }))).toBe(false);
    expect(match(facts({ bloggerId: null }))).toBe(false);
  });

  it('bounds publishedAt inclusively and never matches an image without facts', () => {
    const match = compileFilter({ labels: {}, publishedFrom: 1_000, publishedTo: 2_000 });
    expect(match(facts({ publishedAt: 1_000 }))).toBe(true);
    expect(match(facts({ publishedAt: 2_001 }))).toBe(false);
    expect(match(facts({ publishedAt: null }))).toBe(false);
    expect(match(undefined)).toBe(false);
  });

  it('leaves out judged duplicates only, keeping images without a verdict', () => {
    const match = compileFilter({ labels: {}, excludeDuplicates: true });
    expect(match(facts({ dedupeStatus: 'NEAR_DUPLICATE' }))).toBe(false);
    expect(match(facts({ dedupeStatus: 'EXACT_DUPLICATE' }))).toBe(false);
    expect(match(facts({ dedupeStatus: null }))).toBe(true);
    expect(isUnfiltered({ labels: {}, excludeDuplicates: true })).toBe(false);
    expect(isUnfiltered({ labels: { color: [] } })).toBe(true);
  });
});
