import { performance } from 'node:perf_hooks';
import { DependencyUnavailableError, InvalidInputError, reasonOf, withinDeadline } from '@stylestream/errors';
import type { CatalogCandidateSource, CatalogImageFacts } from '@stylestream/catalog';
import { compileFilter, isUnfiltered } from './catalog-filter.match';
import { planFilteredSearch, type FilterStrategyOptions } from './filter-strategy';
import { coverageOf, fanOut, type OwnerOutcome } from './owner-fan-out';
import type { OwnerDirectory } from './owner-directory';
import type { SearchCursorCodec } from './search-cursor.codec';
import type { SearchMetrics } from './search.metrics';
import type { ScoredId, SearchHit, SearchResult, StrategyReport, VectorQuery } from './search-query';
import type { KnnRequest, ShardOwnerClient } from './shard-owner.port';
import { mergeTopK } from './top-k.merge';

export interface VectorSearchOptions {
  /** Base URLs of every shard owner (SEARCH_SHARD_OWNERS), or a function giving the current set (it changes with the model registry). */
  readonly owners: readonly string[] | (() => readonly string[]);
  /** Per-owner deadline of one fan-out (SEARCH_SHARD_DEADLINE_MS). */
  readonly deadlineMs: number;
  /** Deadline of a catalogue call (count, candidates, facts). */
  readonly catalogTimeoutMs: number;
  readonly strategy: FilterStrategyOptions;
  /** Fan-outs at most per post-filtered page (each deeper by ×4 when too few hits matched). */
  readonly postFilterRounds: number;
}

export interface VectorSearchDeps {
  readonly client: ShardOwnerClient;
  readonly directory: OwnerDirectory;
  readonly catalog: CatalogCandidateSource;
  readonly cursors: SearchCursorCodec;
  readonly metrics: SearchMetrics;
  readonly options: VectorSearchOptions;
}

interface Gathered {
  readonly ranked: ScoredId[];
  readonly outcomes: OwnerOutcome[];
  readonly strategy: StrategyReport;
  readonly facts?: Map<string, CatalogImageFacts>;
}

/**
 * The search use case: fans a validated VectorQuery out to every shard owner
 * (each bounded by its deadline), merges the top k, applies the filter
 * strategy, decorates hits with catalogue facts and issues the next cursor.
 * Throws InvalidInputError for a query deeper than the owners allow,
 * OwnerRejectedError when every owner rejects it (unknown model version),
 * DependencyUnavailableError when no owner answers or the catalogue is needed
 * for the filter and unavailable. Owners missing their deadline make the
 * answer partial, never slower.
 */
export class VectorSearchService {
  constructor(private readonly deps: VectorSearchDeps) {}

  async search(query: VectorQuery): Promise<SearchResult> {
    const started = performance.now();
    const { maxDepth } = this.deps.options.strategy;
    if (query.offset === 0 && query.k > maxDepth) throw new InvalidInputError(`parameter "k": must be at most ${maxDepth} (SEARCH_MAX_DEPTH), got ${query.k}`, 'INVALID_PARAMETER');
    // The last page before the depth limit is cut short; cursors are not issued past it.
    const k = Math.min(query.k, maxDepth - query.offset);
    if (k <= 0) throw new InvalidInputError(`parameter "cursor": paging is limited to ${maxDepth} hits (SEARCH_MAX_DEPTH)`, 'INVALID_PARAMETER');
    const needed = query.offset + k;
    const gathered = isUnfiltered(query.filter) ? await this.unfiltered(query, needed) : await this.filtered(query, needed);
    const page = gathered.ranked.slice(0, k);
    const coverage = coverageOf(gathered.outcomes, this.deps.directory, query.modelVersion);
    const { hits, factsUnavailable } = await this.decorate(page, gathered.facts);
    const last = page.at(-1);
    const nextCursor = last !== undefined && page.length === k && needed < maxDepth ? this.deps.cursors.encode(query, page.length, last) : null;
    const partial = coverage.timedOut + coverage.failed > 0;
    const tookMs = performance.now() - started;
    this.deps.metrics.observeSearch(gathered.strategy.name, partial, tookMs / 1000);
    return { hits, coverage, partial, strategy: gathered.strategy, ...(factsUnavailable === undefined ? {} : { factsUnavailable }), nextCursor, tookMs: Math.round(tookMs * 100) / 100 };
  }

  /**
   * Cosines of the given ids with the query vector: the owners' k-NN restricted to them
   * (exact scoring), for the query's model version, ids in `excludeIds` left out. An id
   * absent from the map is not indexed in that version, or its owner did not answer.
   * Throws like `search` when no owner answers.
   */
  async scoreIds(query: VectorQuery, ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const outcomes = await this.ask(query, { k: ids.length, filterIds: ids });
    return new Map(this.merge(outcomes, { ...query, after: undefined }, ids.length).map((h) => [h.id, h.score]));
  }

  private async unfiltered(query: VectorQuery, needed: number): Promise<Gathered> {
    const outcomes = await this.ask(query, { k: needed });
    return { ranked: this.merge(outcomes, query, needed), outcomes, strategy: { name: 'unfiltered', fetchK: needed, ...(query.ef === undefined ? {} : { ef: query.ef }), rounds: 1 } };
  }

  private async filtered(query: VectorQuery, needed: number): Promise<Gathered> {
    const { catalog, options } = this.deps;
    const matching = await this.catalogCall('count matching images', () => catalog.countMatching(query.filter));
    const plan = planFilteredSearch(matching, this.deps.directory.indexedTotal(query.modelVersion), needed, options.strategy, query.filter.text !== undefined);
    switch (plan.name) {
      case 'no-match':
        return { ranked: [], outcomes: [], strategy: { name: 'no-match', matching: 0, fetchK: 0, rounds: 0 } };
      case 'candidates': {
        const excluded = new Set(query.excludeIds);
        const candidates = await this.catalogCall('candidate ids', () => catalog.candidateIds(query.filter, options.strategy.candidateMax));
        const filterIds = candidates.ids.filter((id) => !excluded.has(id));
        if (filterIds.length === 0) return { ranked: [], outcomes: [], strategy: { name: 'no-match', matching: 0, fetchK: 0, rounds: 0 } };
        const outcomes = await this.ask(query, { k: needed, filterIds });
        const strategy: StrategyReport = { name: 'candidates', matching: plan.matching, selectivity: plan.selectivity, fetchK: needed, rounds: 1 };
        return { ranked: this.merge(outcomes, query, needed), outcomes, strategy };
      }
      case 'post-filter':
        if (query.filter.text !== undefined) {
          throw new InvalidInputError(`"filter.text": the filter matches ${plan.matching} images, more than the ${options.strategy.candidateMax} a text filter can score exactly; narrow it with other conditions`, 'FILTER_TOO_BROAD');
        }
        return this.postFiltered(query, needed, plan.matching, plan.selectivity, plan.fetchK);
      default: {
        const never: never = plan;
        throw new Error(`unhandled plan ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Over-fetch with raised ef, keep the hits whose catalogue facts match; deeper rounds while too few matched and owners had more.
   * Facts are asked for the best `fetchK` of the merged hits first (the over-fetch is sized for that many), and for the rest
   * of what the owners returned only when those did not hold enough matches.
   */
  private async postFiltered(query: VectorQuery, needed: number, matching: number, selectivity: number, firstFetchK: number): Promise<Gathered> {
    const { options } = this.deps;
    const accepts = compileFilter(query.filter);
    const after = query.after === undefined ? {} : { after: query.after };
    let fetchK = firstFetchK;
    let rounds = 0;
    const facts = new Map<string, CatalogImageFacts>();
    const judge = async (hits: readonly ScoredId[]): Promise<ScoredId[]> => {
      const unknown = hits.map((h) => h.id).filter((id) => !facts.has(id));
      if (unknown.length > 0) for (const [id, f] of await this.catalogCall('facts of hits', () => this.deps.catalog.factsByIds(unknown))) facts.set(id, f);
      return mergeTopK([hits.filter((h) => accepts(facts.get(h.id)))], needed, after);
    };
    for (;;) {
      rounds += 1;
      const ef = Math.max(query.ef ?? 0, fetchK);
      const outcomes = await this.ask(query, { k: fetchK, ef });
      const fetched = this.merge(outcomes, { ...query, after: undefined }, Number.MAX_SAFE_INTEGER);
      let kept = await judge(fetched.slice(0, fetchK));
      if (kept.length < needed - query.offset && fetched.length > fetchK) kept = await judge(fetched);
      const ownersHadMore = outcomes.some((o) => o.kind === 'answered' && o.answer.hits.length >= fetchK);
      if (kept.length >= needed - query.offset || !ownersHadMore || fetchK >= options.strategy.maxDepth || rounds >= options.postFilterRounds) {
        return { ranked: kept, outcomes, facts, strategy: { name: 'post-filter', matching, selectivity, fetchK, ef, rounds } };
      }
      fetchK = Math.min(options.strategy.maxDepth, fetchK * 4);
    }
  }

  private async ask(query: VectorQuery, overrides: Partial<KnnRequest> & { k: number }): Promise<OwnerOutcome[]> {
    const { client, options, directory, metrics } = this.deps;
    const owners = typeof options.owners === 'function' ? options.owners() : options.owners;
    if (owners.length === 0) throw new DependencyUnavailableError('shard owners', 'no shard owner configured (SEARCH_SHARD_OWNERS, or a version in the model registry)');
    const request: KnnRequest = {
      vector: query.vector,
      ...(query.ef === undefined ? {} : { ef: query.ef }),
      ...(query.modelVersion === undefined ? {} : { modelVersion: query.modelVersion }),
      ...(query.excludeIds.length === 0 ? {} : { excludeIds: query.excludeIds }),
      ...overrides,
    };
    const outcomes = await fanOut(client, owners, request, options.deadlineMs);
    for (const o of outcomes) {
      metrics.countOwnerOutcome(o.kind);
      if (o.kind === 'answered') directory.recordAnswer(o.owner, o.answer.modelVersion, o.answer.shards);
    }
    const rejected = outcomes.flatMap((o) => (o.kind === 'rejected' ? [o.error] : []));
    if (rejected.length === outcomes.length && rejected[0] !== undefined) throw rejected[0];
    if (!outcomes.some((o) => o.kind === 'answered' || o.kind === 'rejected')) {
      const why = outcomes.map((o) => (o.kind === 'deadline' || o.kind === 'error' ? `${o.owner}: ${o.detail}` : o.owner)).join('; ');
      throw new DependencyUnavailableError('shard owners', `none of ${outcomes.length} owners answered: ${why}`);
    }
    return outcomes;
  }

  private merge(outcomes: readonly OwnerOutcome[], query: VectorQuery, limit: number): ScoredId[] {
    const lists = outcomes.flatMap((o) => (o.kind === 'answered' ? [o.answer.hits] : []));
    return mergeTopK(lists, limit, { ...(query.after === undefined ? {} : { after: query.after }), exclude: new Set(query.excludeIds) });
  }

  /** Facts for the page; the catalogue failing only costs the facts (hits still answer, flagged). */
  private async decorate(page: readonly ScoredId[], known?: Map<string, CatalogImageFacts>): Promise<{ hits: SearchHit[]; factsUnavailable?: string }> {
    if (page.length === 0) return { hits: [] };
    let facts = known;
    let factsUnavailable: string | undefined;
    if (facts === undefined) {
      try {
        facts = await this.catalogCall('facts of hits', () => this.deps.catalog.factsByIds(page.map((h) => h.id)));
      } catch (err) {
        factsUnavailable = reasonOf(err);
      }
    }
    const hits = page.map((h): SearchHit => {
      const f = facts?.get(h.id);
      return f === undefined ? { id: h.id, score: h.score } : { id: h.id, score: h.score, facts: f };
    });
    return factsUnavailable === undefined ? { hits } : { hits, factsUnavailable };
  }

  /** A catalogue call bounded by catalogTimeoutMs; a timeout is a DependencyUnavailableError. */
  private catalogCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    const ms = this.deps.options.catalogTimeoutMs;
    return withinDeadline(call(), ms, () => new DependencyUnavailableError('catalogue', `${what}: no answer within ${ms} ms`));
  }
}
