import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { CatalogImageSearch, CatalogQueryModule, type CatalogCandidateSource } from '@stylestream/catalog';
import { ApiKeyVerifier, HealthController, KeyRateLimiter, READINESS_PROBES, apiKeyCheck, apiKeyProtection, serveFastJsonRoutes, type RateLimit, type ReadinessProbe } from '@stylestream/http';
import { MetricsModule } from '@stylestream/metrics';
import { OwnerDirectory } from '../domain/owner-directory';
import { declareMiddlewareAnswers } from './openapi.document';
import { OwnersController } from './owners.controller';
import { searchBodyParsers, searchJsonBodyErrors, type UploadLimits } from './request-body.middleware';
import { searchErrorFilter } from './search-error.mapping';
import { SearchController } from './search.controller';
import { SearchRequests } from './search-requests';
import { searchResultView } from './search-result.view';

export interface SearchHttpOptions {
  readonly requests: SearchRequests;
  readonly directory: OwnerDirectory;
  /** GET /v1/images (the catalogue's label search) is served too when given. */
  readonly catalog?: { readonly search: CatalogImageSearch; readonly candidateSource: CatalogCandidateSource };
  readonly apiKeys: readonly string[];
  readonly rateLimit: RateLimit;
  /** Checks of GET /readyz (503 naming the failed one); none: ready once listening. */
  readonly readiness?: readonly ReadinessProbe[];
  readonly uploads: UploadLimits;
  readonly logger: Logger;
}

/** The search API's HTTP surface: /v1/search/*, /v1/images/{id}/similar, /v1/owners, (GET /v1/images), /health, /metrics. */
@Module({})
export class SearchHttpModule {
  static register(options: SearchHttpOptions): DynamicModule {
    return {
      module: SearchHttpModule,
      imports: [MetricsModule, ...(options.catalog === undefined ? [] : [CatalogQueryModule.register(options.catalog)])],
      controllers: [SearchController, OwnersController, HealthController],
      providers: [
        { provide: SearchRequests, useValue: options.requests },
        { provide: OwnerDirectory, useValue: options.directory },
        { provide: READINESS_PROBES, useValue: options.readiness ?? [] },
      ],
    };
  }
}

/**
 * Builds (does not start) the search HTTP app. Every /v1 route needs an API
 * key and is rate-limited per key, checked before any body is read; then the
 * body limits (JSON size, upload bytes and content type); errors map to 4xx
 * with a reason. OpenAPI at /docs (JSON at /docs-json).
 */
export async function createSearchHttpApp(options: SearchHttpOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(SearchHttpModule.register(options), { bodyParser: false, logger: false });
  const verifier = new ApiKeyVerifier(options.apiKeys);
  const limiter = new KeyRateLimiter(options.rateLimit);
  app.use('/v1', apiKeyProtection(verifier, limiter));
  app.use(searchBodyParsers(options.uploads));
  const errors = searchErrorFilter(options.logger);
  app.useGlobalFilters(errors);
  // POST /v1/search/vector with a JSON body (the query path) is answered before Express, with the same key check,
  // rate limit (the same bucket), body limits and error bodies; SearchController keeps the route for the OpenAPI document.
  const admit = apiKeyCheck(verifier, limiter);
  serveFastJsonRoutes(
    app.getHttpServer(),
    [
      {
        path: '/v1/search/vector',
        maxBodyBytes: options.uploads.maxJsonBytes,
        admit: (req) => admit(req.headers),
        bodyErrors: searchJsonBodyErrors,
        handle: async (body) => searchResultView(await options.requests.byVector(body)),
        toError: (err) => errors.toResponse(err),
      },
    ],
    options.logger,
  );
  const document = declareMiddlewareAnswers(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('StyleStream search')
      .setDescription('Search by image, by vector and by an indexed image over every shard owner, with per-owner deadlines, filters and cursor paging.')
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
      .build(),
  ));
  SwaggerModule.setup('docs', app, document);
  return app;
}
