import { selectOldIndices } from './catalog-index.lifecycle';

const v = (...versions: number[]) => versions.map((version) => ({ index: `images-v${version}`, version }));

describe('selectOldIndices', () => {
  it('chooses only indices older than the aliased one, newest kept first', () => {
    expect(selectOldIndices(v(1, 2, 3, 4, 5), 'images-v4', 0)).toEqual(['images-v3', 'images-v2', 'images-v1']);
    expect(selectOldIndices(v(1, 2, 3, 4, 5), 'images-v4', 1)).toEqual(['images-v2', 'images-v1']);
    expect(selectOldIndices(v(1, 2, 3, 4, 5), 'images-v4', 5)).toEqual([]);
  });

  it('never chooses the aliased index nor a newer one (a reindex in progress), and nothing without an alias', () => {
    expect(selectOldIndices(v(1, 2), 'images-v1', 0)).toEqual([]);
    expect(selectOldIndices(v(1, 2, 3), undefined, 0)).toEqual([]);
    expect(selectOldIndices(v(1, 2, 3), 'other', 0)).toEqual([]);
  });
});
