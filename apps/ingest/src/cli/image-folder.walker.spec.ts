import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '@stylestream/errors';
import { solidJpeg, solidPng, writeTree } from '../../test/image-fixtures';
import { categoryOf, listFolderImages, sha256OfFile } from './image-folder.walker';

describe('listFolderImages', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ingest-walk-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds jpg/jpeg/png/webp in any case, sorted, with the <class>/ folder as category', async () => {
    writeTree(root, {
      'train/dress/b.JPG': solidJpeg(10),
      'train/dress/a.jpeg': solidJpeg(20),
      'train/shirt/c.png': solidPng(1, 2, 3),
      'train/shirt/d.webp': 'RIFF....WEBP',
      'train/shirt/notes.txt': 'not an image',
      'train/.cache/e.jpg': solidJpeg(30),
      'top.jpg': solidJpeg(40),
    });
    const images = await listFolderImages(root);
    expect(images.map((i) => [i.path.slice(root.length + 1), i.category])).toEqual([
      ['top.jpg', undefined],
      ['train/dress/a.jpeg', 'dress'],
      ['train/dress/b.JPG', 'dress'],
      ['train/shirt/c.png', 'shirt'],
      ['train/shirt/d.webp', 'shirt'],
    ]);
    expect(images[1]?.uri).toBe(`file://${root}/train/dress/a.jpeg`);
  });

  it('accepts a relative folder and makes absolute file:// URIs', async () => {
    writeTree(root, { 'x/a.png': solidPng(0, 0, 0) });
    const [image] = await listFolderImages(join(root, 'x', '..', 'x'));
    expect(image?.uri).toBe(`file://${root}/x/a.png`);
    expect(image?.category).toBeUndefined();
  });

  it('throws InvalidInputError naming a missing folder or a file given as folder', async () => {
    await expect(listFolderImages(join(root, 'nope'))).rejects.toThrow(new InvalidInputError(`folder not found: ${join(root, 'nope')}`));
    writeTree(root, { 'f.jpg': solidJpeg(1) });
    await expect(listFolderImages(join(root, 'f.jpg'))).rejects.toThrow(/not a folder/);
  });

  it('hashes file content with SHA-256', async () => {
    const bytes = solidJpeg(99);
    writeTree(root, { 'a.jpg': bytes });
    expect(await sha256OfFile(join(root, 'a.jpg'))).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('categoryOf uses the parent folder name', () => {
    expect(categoryOf('/d', '/d/train/dress/x.jpg')).toBe('dress');
    expect(categoryOf('/d', '/d/x.jpg')).toBeUndefined();
  });
});
