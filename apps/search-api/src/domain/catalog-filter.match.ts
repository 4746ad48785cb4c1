import { DUPLICATE_STATUSES, type CatalogFilter, type CatalogImageFacts } from '@stylestream/catalog';
import type { LabelDimension } from '@stylestream/schemas';

/** True when the filter has no condition at all (a plain vector search). */
export function isUnfiltered(filter: CatalogFilter): boolean {
  return (
    Object.values(filter.labels).every((v) => v === undefined || v.length === 0) &&
    filter.source === undefined &&
    filter.bloggerIds === undefined &&
    filter.publishedFrom === undefined &&
    filter.publishedTo === undefined &&
    filter.excludeDuplicates !== true &&
    (filter.text === undefined || filter.text === '')
  );
}

/**
 * Evaluates a filter on an image's catalogue facts, in-process: the
 * post-filter of the over-fetch strategy. Same semantics as the catalogue's
 * query (values of one condition OR-ed, conditions AND-ed, inclusive time
 * bounds, images without a dedupe verdict kept by excludeDuplicates). The
 * title text cannot be judged from the facts (the catalogue's analyser
 * decides): callers run text filters through candidate ids only. Images
 * unknown to the catalogue (no facts) never match.
 */
export function matchesFilter(filter: CatalogFilter, facts: CatalogImageFacts | undefined): boolean {
  if (facts === undefined) return false;
  for (const [dimension, wanted] of Object.entries(filter.labels) as [LabelDimension, string[] | undefined][]) {
    if (wanted === undefined) continue;
    const have = facts.labels[dimension] ?? [];
    if (!wanted.some((w) => have.includes(w))) return false;
  }
  if (filter.source !== undefined && (facts.source === null || !filter.source.includes(facts.source))) return false;
  if (filter.bloggerIds !== undefined && (facts.bloggerId === null || !filter.bloggerIds.includes(facts.bloggerId))) return false;
  if (filter.publishedFrom !== undefined && (facts.publishedAt === null || facts.publishedAt < filter.publishedFrom)) return false;
  if (filter.publishedTo !== undefined && (facts.publishedAt === null || facts.publishedAt > filter.publishedTo)) return false;
  if (filter.excludeDuplicates === true && facts.dedupeStatus !== null && (DUPLICATE_STATUSES as readonly string[]).includes(facts.dedupeStatus)) return false;
  return true;
}
