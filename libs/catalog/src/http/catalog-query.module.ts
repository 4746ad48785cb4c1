import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { Client } from '@elastic/elasticsearch';
import { CatalogImageSearch } from '../catalog-image.search';
import type { CatalogCandidateSource } from '../catalog-candidates.port';
import { createElasticsearchClient } from '../elasticsearch-client';
import { ElasticsearchCandidateSource, type ElasticsearchCandidateSourceOptions } from '../elasticsearch-candidate.source';
import { ImagesSearchController } from './images-search.controller';

/** Injection token of the CatalogCandidateSource the module provides. */
export const CATALOG_CANDIDATE_SOURCE = Symbol('CatalogCandidateSource');
const OWNED_CLIENT = Symbol('CatalogQueryOwnedClient');

export type CatalogQueryModuleOptions =
  /** Search the images alias through this client (owned by the caller) ... */
  | { readonly client: Client; readonly alias: string; readonly candidates?: ElasticsearchCandidateSourceOptions }
  /** ... or through a client the module creates and closes on shutdown ... */
  | { readonly elasticsearchUrl: string; readonly requestTimeoutMs?: number; readonly alias: string; readonly candidates?: ElasticsearchCandidateSourceOptions }
  /** ... or with ready-made adapters (tests fake them). */
  | { readonly search: CatalogImageSearch; readonly candidateSource: CatalogCandidateSource };

@Injectable()
class OwnedClientCloser implements OnModuleDestroy {
  constructor(@Inject(OWNED_CLIENT) private readonly client: Client | undefined) {}
  async onModuleDestroy(): Promise<void> {
    await this.client?.close();
  }
}

/**
 * The catalogue's query side as a mountable Nest module: `GET /v1/images`
 * (filters, from/size and cursor paging, facets) and, for injection, the
 * CatalogImageSearch and the CatalogCandidateSource (token
 * CATALOG_CANDIDATE_SOURCE) of vector-search filters. The host app installs
 * HttpErrorFilter from @stylestream/http so that InvalidInputError answers 400
 * and DependencyUnavailableError 503.
 */
@Module({})
export class CatalogQueryModule {
  static register(options: CatalogQueryModuleOptions): DynamicModule {
    let search: CatalogImageSearch;
    let candidateSource: CatalogCandidateSource;
    let owned: Client | undefined;
    if ('search' in options) {
      ({ search, candidateSource } = options);
    } else {
      const client = 'client' in options ? options.client : (owned = createElasticsearchClient({ node: options.elasticsearchUrl, requestTimeoutMs: options.requestTimeoutMs }));
      search = new CatalogImageSearch(client, options.alias);
      candidateSource = new ElasticsearchCandidateSource(client, options.alias, options.candidates);
    }
    return {
      module: CatalogQueryModule,
      controllers: [ImagesSearchController],
      providers: [
        { provide: CatalogImageSearch, useValue: search },
        { provide: CATALOG_CANDIDATE_SOURCE, useValue: candidateSource },
        { provide: OWNED_CLIENT, useValue: owned },
        OwnedClientCloser,
      ],
      exports: [CatalogImageSearch, CATALOG_CANDIDATE_SOURCE],
    };
  }
}
