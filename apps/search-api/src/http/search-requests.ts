import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import type { ImageFetcher } from '@stylestream/storage';
import type { QueryEmbedder } from '../domain/query-embedder.port';
import type { SearchCursorCodec } from '../domain/search-cursor.codec';
import type { SearchResult, VectorQuery } from '../domain/search-query';
import type { ShardOwnerClient } from '../domain/shard-owner.port';
import type { NearDuplicateSearch } from '../domain/near-duplicate.search';
import { findStoredVector } from '../domain/stored-vector.lookup';
import type { VectorSearchService } from '../domain/vector-search.service';
import { badParameter, firstPage, normalised, parseBodyOptions, parseQueryOptions, parseVector, type SearchLimits, type SearchOptions } from './search-request.parser';
import { CATALOG_FILTER_PARAMS } from '@stylestream/catalog';

export interface SearchRequestsDeps {
  readonly search: VectorSearchService;
  readonly cursors: SearchCursorCodec;
  readonly client: ShardOwnerClient;
  /** The owners, or a function giving the current set (the model registry changes it). */
  readonly owners: readonly string[] | (() => readonly string[]);
  readonly deadlineMs: number;
  readonly limits: SearchLimits;
  /** Undefined when the model is not loaded (image search answers 503). */
  readonly embedder?: QueryEmbedder;
  readonly fetcher: ImageFetcher;
  /** URL schemes a `{url}` may use. */
  readonly urlSchemes: readonly string[];
  /** Default index version (SEARCH_MODEL_VERSION, else the model's), or a function giving the current one (the registry's active version). */
  readonly defaultModelVersion?: string | (() => string | undefined);
  /** Vector dimension of a version other than the default's (from the model registry); undefined: `limits.dim`. */
  readonly dimOf?: (modelVersion: string) => number | undefined;
  /** The query embedder of a version other than `embedder`'s (loaded on first use); undefined when none is known. */
  readonly embedderFor?: (modelVersion: string) => Promise<QueryEmbedder | undefined>;
  /** Near-duplicate lookup of image searches; undefined: image searches rank by vector only. */
  readonly nearDuplicates?: NearDuplicateSearch;
}

/** A search answer with the index version it searched. */
export type VersionedResult = SearchResult & { readonly modelVersion: string | null };

export const SIMILAR_PARAMS = ['k', 'ef', 'modelVersion', 'cursor', ...CATALOG_FILTER_PARAMS] as const;

/**
 * Turns the three endpoints' requests into VectorQuery values and runs them:
 * validation (400 naming the parameter), cursor decoding, query-image
 * embedding, stored-vector lookup. No search logic here.
 */
export class SearchRequests {
  constructor(private readonly deps: SearchRequestsDeps) {}

  /** POST /v1/search/vector: `{vector, k?, ef?, modelVersion?, filter?, excludeDuplicates?}` or `{cursor}`. */
  async byVector(body: unknown): Promise<VersionedResult> {
    const fields = objectBody(body);
    const cursor = this.cursorOf(fields.cursor, Object.keys(fields));
    if (cursor !== undefined) return this.run(cursor);
    const options = this.withDefaultVersion(parseBodyOptions(fields, this.deps.limits));
    const dim = (options.modelVersion === undefined ? undefined : this.deps.dimOf?.(options.modelVersion)) ?? this.deps.limits.dim;
    return this.run(firstPage(parseVector(fields.vector, dim), options));
  }

  /** POST /v1/search/image: an uploaded image (multipart part `image`) or `{url}`, with the same options as a vector search. */
  async byImage(fields: Record<string, unknown>, upload: { bytes: Buffer } | undefined): Promise<VersionedResult> {
    const { url, ...rest } = fields;
    const options = parseBodyOptions(rest, this.deps.limits);
    const embedder = await this.embedderOf(options.modelVersion ?? this.defaultVersion());
    if (embedder === undefined) throw new DependencyUnavailableError('embedding model', 'image search is off on this replica (SEARCH_IMAGE_MODEL=false, or the model does not fit the index; see the boot log)');
    if (options.modelVersion !== undefined && options.modelVersion !== embedder.modelVersion) {
      badParameter('modelVersion', `query images are embedded by model version ${embedder.modelVersion}; search that version or send a vector`);
    }
    let bytes: Buffer;
    if (upload !== undefined) {
      if (url !== undefined) badParameter('url', 'send either an uploaded image or a url, not both');
      bytes = upload.bytes;
    } else {
      bytes = await this.fetch(url);
    }
    const embedding = await embedder.embed(bytes);
    const dim = this.deps.dimOf?.(embedding.modelVersion) ?? embedder.dim;
    if (embedding.vector.length !== dim) throw new InvalidInputError(`the model gives ${embedding.vector.length}-d vectors, the index has ${dim}`, 'MODEL_INDEX_MISMATCH');
    const query = firstPage(normalised(embedding.vector), { ...options, modelVersion: embedding.modelVersion });
    if (this.deps.nearDuplicates === undefined) return this.run(query);
    return { ...(await this.deps.nearDuplicates.search(query, embedding.hashes)), modelVersion: query.modelVersion ?? null };
  }

  /** GET /v1/images/{id}/similar: the image's stored vector is the query; the image itself is left out. */
  async similar(imageId: string, query: Record<string, unknown>): Promise<VersionedResult> {
    if (!/^[\w.:@-]{1,256}$/.test(imageId)) badParameter('id', 'must be 1-256 letters, digits or _.:@-');
    const cursor = this.cursorOf(query.cursor, Object.keys(query));
    if (cursor !== undefined) return this.run(cursor);
    const options = this.withDefaultVersion(parseQueryOptions(query, this.deps.limits, SIMILAR_PARAMS));
    const owners = typeof this.deps.owners === 'function' ? this.deps.owners() : this.deps.owners;
    const stored = await findStoredVector(this.deps.client, owners, imageId, options.modelVersion, this.deps.deadlineMs);
    return this.run(firstPage(normalised(stored.vector), { ...options, modelVersion: stored.modelVersion }, [imageId]));
  }

  private cursorOf(raw: unknown, keys: readonly string[]) {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw === '') return badParameter('cursor', 'must be a non-empty string');
    const others = keys.filter((key) => key !== 'cursor');
    if (others.length > 0) badParameter(others[0] ?? 'cursor', 'a cursor carries the whole query; send it alone');
    return this.deps.cursors.decode(raw, 'cursor');
  }

  private withDefaultVersion(options: SearchOptions): SearchOptions {
    const version = this.defaultVersion();
    return options.modelVersion === undefined && version !== undefined ? { ...options, modelVersion: version } : options;
  }

  private defaultVersion(): string | undefined {
    const d = this.deps.defaultModelVersion;
    return typeof d === 'function' ? d() : d;
  }

  /** The boot embedder when it serves `version` (or no version is asked), else the registry's model of that version, else the boot one. */
  private async embedderOf(version: string | undefined): Promise<QueryEmbedder | undefined> {
    const boot = this.deps.embedder;
    if (version === undefined || boot?.modelVersion === version || this.deps.embedderFor === undefined) return boot;
    return (await this.deps.embedderFor(version)) ?? boot;
  }

  private async run(query: VectorQuery): Promise<VersionedResult> {
    const result = await this.deps.search.search(query);
    return { ...result, modelVersion: query.modelVersion ?? null };
  }

  private async fetch(url: unknown): Promise<Buffer> {
    if (url === undefined) return badParameter('image', 'send an image as the multipart part "image", or a JSON body {"url": ...}');
    if (typeof url !== 'string') return badParameter('url', 'must be a string');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return badParameter('url', 'must be an absolute URL');
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    if (!this.deps.urlSchemes.includes(scheme)) badParameter('url', `scheme "${scheme}" is not allowed; use ${this.deps.urlSchemes.join(' or ')}`);
    return this.deps.fetcher.fetch(parsed.href);
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return badParameter('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}
