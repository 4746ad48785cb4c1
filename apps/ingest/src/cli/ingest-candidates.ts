import { stat } from 'node:fs/promises';
import type { ImageSource } from '../domain/image-arrived';
import type { IngestCandidate } from './bulk-ingest.run';
import { sha256OfFile, type FolderImage } from './image-folder.walker';
import { readJsonl } from './jsonl-reader';

/** Folder images as candidates: file:// URI, `<class>/` folder as category, content hash, mtime as publishedAt. */
export async function* folderCandidates(images: readonly FolderImage[], source: ImageSource, readAhead = 8): AsyncGenerator<IngestCandidate> {
  // Hash a few files ahead so disk reads overlap; candidates still come out in walk order.
  const window: Promise<IngestCandidate>[] = [];
  for (const image of images) {
    window.push(folderCandidate(image, source));
    if (window.length >= readAhead) yield await (window.shift() as Promise<IngestCandidate>);
  }
  for (const next of window) yield await next;
}

async function folderCandidate(image: FolderImage, source: ImageSource): Promise<IngestCandidate> {
  try {
    const [contentSha256, info] = await Promise.all([sha256OfFile(image.path), stat(image.path)]);
    return {
      where: image.path,
      raw: { uri: image.uri },
      defaults: { source, contentSha256, publishedAt: Math.floor(info.mtimeMs), ...(image.category === undefined ? {} : { category: image.category }) },
    };
  } catch (err) {
    return { where: image.path, issues: [{ path: '(root)', message: `unreadable file: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

/** JSONL lines as candidates; `--source` fills in lines without a source. */
export async function* jsonlCandidates(file: string, source: ImageSource): AsyncGenerator<IngestCandidate> {
  for await (const line of readJsonl(file)) {
    const where = `line ${line.lineNumber}`;
    yield 'error' in line ? { where, issues: [{ path: '(root)', message: line.error }] } : { where, raw: line.value, defaults: { source } };
  }
}

/** Stops an iterable after `limit` items (no limit when undefined). */
export async function* limited<T>(items: AsyncIterable<T>, limit: number | undefined): AsyncGenerator<T> {
  if (limit === 0) return;
  let count = 0;
  for await (const item of items) {
    yield item;
    count += 1;
    if (limit !== undefined && count >= limit) return;
  }
}
