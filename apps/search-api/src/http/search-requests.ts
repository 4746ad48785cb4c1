import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import type { ImageFetcher } from '@stylestream/storage';
import type { QueryEmbedder } from '../domain/query-embedder.port';
import type { SearchCursorCodec } from '../domain/search-cursor.codec';
import type { SearchResult } from '../domain/search-query';
import type { ShardOwnerClient } from '../domain/shard-owner.port';
import { findStoredVector } from '../domain/stored-vector.lookup';
import type { VectorSearchService } from '../domain/vector-search.service';
import { badParameter, firstPage, normalised, parseBodyOptions, parseQueryOptions, parseVector, type SearchLimits, type SearchOptions } from './search-request.parser';
import { CATALOG_FILTER_PARAMS } from '@stylestream/catalog';

export interface SearchRequestsDeps {
  readonly search: VectorSearchService;
  readonly cursors: SearchCursorCodec;
  readonly client: ShardOwnerClient;
  readonly owners: readonly string[];
  readonly deadlineMs: number;
  readonly limits: SearchLimits;
  /** Undefined when the model is not loaded (image search answers 503). */
  readonly embedder?: QueryEmbedder;
  readonly fetcher: ImageFetcher;
  /** URL schemes a `{url}` may use. */
  readonly urlSchemes: readonly string[];
  /** Default index version (SEARCH_MODEL_VERSION, else the model's). */
  readonly defaultModelVersion?: string;
}

export const SIMILAR_PARAMS = ['k', 'ef', 'modelVersion', 'cursor', ...CATALOG_FILTER_PARAMS] as const;

/**
 * Turns the three endpoints' requests into VectorQuery values and runs them:
 * validation (400 naming the parameter), cursor decoding, query-image
 * embedding, stored-vector lookup. No search logic here.
 */
export class SearchRequests {
  constructor(private readonly deps: SearchRequestsDeps) {}

  /** POST /v1/search/vector: `{vector, k?, ef?, modelVersion?, filter?, excludeDuplicates?}` or `{cursor}`. */
  async byVector(body: unknown): Promise<SearchResult> {
    const fields = objectBody(body);
    const cursor = this.cursorOf(fields.cursor, Object.keys(fields));
    if (cursor !== undefined) return this.deps.search.search(cursor);
    const options = this.withDefaultVersion(parseBodyOptions(fields, this.deps.limits));
    return this.deps.search.search(firstPage(parseVector(fields.vector, this.deps.limits.dim), options));
  }

  /** POST /v1/search/image: an uploaded image (multipart part `image`) or `{url}`, with the same options as a vector search. */
  async byImage(fields: Record<string, unknown>, upload: { bytes: Buffer } | undefined): Promise<SearchResult> {
    const embedder = this.deps.embedder;
    if (embedder === undefined) throw new DependencyUnavailableError('embedding model', 'image search is off on this replica (SEARCH_IMAGE_MODEL=false, or the model does not fit the index; see the boot log)');
    const { url, ...rest } = fields;
    const options = parseBodyOptions(rest, this.deps.limits);
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
    if (embedding.vector.length !== this.deps.limits.dim) throw new InvalidInputError(`the model gives ${embedding.vector.length}-d vectors, the index has ${this.deps.limits.dim}`, 'MODEL_INDEX_MISMATCH');
    return this.deps.search.search(firstPage(normalised(embedding.vector), { ...options, modelVersion: embedding.modelVersion }));
  }

  /** GET /v1/images/{id}/similar: the image's stored vector is the query; the image itself is left out. */
  async similar(imageId: string, query: Record<string, unknown>): Promise<SearchResult> {
    if (!/^[\w.:@-]{1,256}$/.test(imageId)) badParameter('id', 'must be 1-256 letters, digits or _.:@-');
    const cursor = this.cursorOf(query.cursor, Object.keys(query));
    if (cursor !== undefined) return this.deps.search.search(cursor);
    const options = this.withDefaultVersion(parseQueryOptions(query, this.deps.limits, SIMILAR_PARAMS));
    const stored = await findStoredVector(this.deps.client, this.deps.owners, imageId, options.modelVersion, this.deps.deadlineMs);
    return this.deps.search.search(firstPage(normalised(stored.vector), { ...options, modelVersion: stored.modelVersion }, [imageId]));
  }

  private cursorOf(raw: unknown, keys: readonly string[]) {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw === '') return badParameter('cursor', 'must be a non-empty string');
    const others = keys.filter((key) => key !== 'cursor');
    if (others.length > 0) badParameter(others[0] ?? 'cursor', 'a cursor carries the whole query; send it alone');
    return this.deps.cursors.decode(raw, 'cursor');
  }

  private withDefaultVersion(options: SearchOptions): SearchOptions {
    return options.modelVersion === undefined && this.deps.defaultModelVersion !== undefined ? { ...options, modelVersion: this.deps.defaultModelVersion } : options;
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
