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

/** A compiled filter: tests one image's catalogue facts. */
export type FactsPredicate = (facts: CatalogImageFacts | undefined) => boolean;

/**
 * Compiles a filter into a predicate over catalogue facts, in-process: the
 * post-filter of the over-fetch strategy (compiled once per search: value
 * lists become sets, so a filter of 2,000 bloggers costs one lookup per hit).
 * Same semantics as the catalogue's query (values of one condition OR-ed,
 * conditions AND-ed, inclusive time bounds, images without a dedupe verdict
 * kept by excludeDuplicates). The title text cannot be judged from the facts
 * (the catalogue's analyser decides): callers run text filters through
 * candidate ids only. Images unknown to the catalogue (no facts) never match.
 */
export function compileFilter(filter: CatalogFilter): FactsPredicate {
  const labels = (Object.entries(filter.labels) as [LabelDimension, string[] | undefined][]).flatMap(([dimension, wanted]) => (wanted === undefined ? [] : [[dimension, new Set(wanted)] as const]));
  const sources = filter.source === undefined ? undefined : new Set<string>(filter.source);
  const bloggers = filter.bloggerIds === undefined ? undefined : new Set(filter.bloggerIds);
  const { publishedFrom, publishedTo } = filter;
  const duplicates = filter.excludeDuplicates === true ? new Set<string>(DUPLICATE_STATUSES) : undefined;
  return (facts) => {
    if (facts === undefined) return false;
    for (const [dimension, wanted] of labels) {
      const have = facts.labels[dimension] ?? [];
      if (!have.some((value) => wanted.has(value))) return false;
    }
    if (sources !== undefined && (facts.source === null || !sources.has(facts.source))) return false;
    if (bloggers !== undefined && (facts.bloggerId === null || !bloggers.has(facts.bloggerId))) return false;
    if (publishedFrom !== undefined && (facts.publishedAt === null || facts.publishedAt < publishedFrom)) return false;
    if (publishedTo !== undefined && (facts.publishedAt === null || facts.publishedAt > publishedTo)) return false;
    if (duplicates !== undefined && facts.dedupeStatus !== null && duplicates.has(facts.dedupeStatus)) return false;
    return true;
  };
}

/** One-off form of compileFilter (tests, fakes). */
export function matchesFilter(filter: CatalogFilter, facts: CatalogImageFacts | undefined): boolean {
  return compileFilter(filter)(facts);
}
