import { bandTerms, parseImageHashes } from '@stylestream/near-duplicate';
import type { ImageArrived, VectorCleaned } from '@stylestream/schemas';
import { CatalogDocState, type CatalogImageDoc, type CatalogNearHashes, type GuardedTopic } from './catalog-document';

/**
 * How one event changes an image document: given the current document (or
 * undefined when there is none), the next document, or undefined when the
 * event is at or below the topic's guard (already applied, or older than
 * what is applied). Pure: the store calls it again on a fresh read after a
 * concurrent write.
 */
export type CatalogMerge = (current: CatalogImageDoc | undefined) => CatalogImageDoc | undefined;

function guarded(topic: GuardedTopic, offset: number, current: CatalogImageDoc | undefined): boolean {
  const applied = current?.guards[topic];
  return applied !== undefined && applied >= offset;
}

/** image-arrived value: replaces the image's own fields, keeps the dedupe verdict and hashes. */
export function mergeImageArrived(imageId: string, event: ImageArrived, offset: number): CatalogMerge {
  return (current) => {
    if (guarded('imageArrived', offset, current)) return undefined;
    return {
      imageId,
      state: CatalogDocState.LIVE,
      uri: event.uri,
      source: event.source,
      bloggerId: event.bloggerId ?? null,
      publishedAt: event.publishedAt,
      crawledAt: event.crawledAt,
      title: event.title ?? null,
      labels: event.labels,
      ...(current?.dedupe === undefined ? {} : { dedupe: current.dedupe }),
      ...(current?.nearHashes === undefined ? {} : { nearHashes: current.nearHashes }),
      guards: { ...current?.guards, imageArrived: offset },
    };
  };
}

/** image-arrived tombstone: drops the image's content, keeps a TAKEN_DOWN marker with the guards. */
export function mergeTakeDown(imageId: string, offset: number): CatalogMerge {
  return (current) => {
    if (guarded('imageArrived', offset, current)) return undefined;
    return { imageId, state: CatalogDocState.TAKEN_DOWN, guards: { ...current?.guards, imageArrived: offset } };
  };
}

/**
 * The near-duplicate fields of a vector-cleaned record; undefined when a hash is malformed
 * (dedupe dead-letters such records, so this is a safety net: the image is then only found by vector).
 */
export function nearHashesOf(event: Pick<VectorCleaned, 'perceptualHash' | 'cropHashes' | 'fineHashes'>): CatalogNearHashes | undefined {
  try {
    const parsed = parseImageHashes(event);
    const [fineHash, ...fineCropHashes] = event.fineHashes ?? [];
    return {
      bands: bandTerms(parsed.hash),
      cropBands: [...new Set(parsed.crops.flatMap(bandTerms))],
      perceptualHash: event.perceptualHash,
      cropHashes: [...(event.cropHashes ?? [])],
      fineHash: fineHash ?? null,
      fineCropHashes,
    };
  } catch {
    return undefined;
  }
}

/** vector-cleaned value: sets the dedupe verdict and the near-duplicate hashes; creates a PENDING document when the image is not there yet. */
export function mergeVectorCleaned(imageId: string, event: VectorCleaned, partition: number, offset: number): CatalogMerge {
  return (current) => {
    if (guarded('vectorCleaned', offset, current)) return undefined;
    const base: CatalogImageDoc = current ?? { imageId, state: CatalogDocState.PENDING, guards: {} };
    const nearHashes = nearHashesOf(event);
    return {
      ...base,
      ...(nearHashes === undefined ? {} : { nearHashes }),
      dedupe: {
        status: event.status,
        duplicateOf: event.duplicateOf ?? null,
        similarity: event.similarity ?? null,
        cleanedAt: event.cleanedAt,
        partition,
        offset,
      },
      guards: { ...base.guards, vectorCleaned: offset },
    };
  };
}
