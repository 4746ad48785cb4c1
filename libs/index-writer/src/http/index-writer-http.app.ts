import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import type { Logger } from 'pino';
import { HttpErrorFilter, serveFastJsonRoutes, type ErrorMapping } from '@stylestream/http';
import { MetricsModule } from '@stylestream/metrics';
import { PartitionOwnership } from '../partition-ownership';
import { ShardQueryService } from '../query/shard-query.service';
import { parseKnnRequest } from '../query/knn-request';
import { KnnController, KnnLimits } from './knn.controller';
import { ProbesController } from './probes.controller';

/** express.json failures (malformed JSON, body too large) carry a 4xx `status` and a `type`. */
const bodyParserError: ErrorMapping = (exception) => {
  const e = exception as { status?: unknown; type?: unknown; message?: unknown };
  if (typeof e.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  return [e.status, { error: e.type === 'entity.too.large' ? 'body_too_large' : 'invalid_body', reason: `body: ${String(e.message)}` }];
};

export interface IndexWriterHttpDeps {
  readonly queries: ShardQueryService;
  readonly ownership: PartitionOwnership;
  readonly limits: KnnLimits;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/** Builds (does not start) the shard-owner endpoint: /v1/knn, /v1/shards, /v1/vectors/:id, /v1/ids, /healthz, /readyz, /metrics, OpenAPI at /docs. */
export async function createIndexWriterHttpApp(deps: IndexWriterHttpDeps): Promise<NestExpressApplication> {
  @Module({
    imports: [MetricsModule],
    controllers: [KnnController, ProbesController],
    providers: [
      { provide: ShardQueryService, useValue: deps.queries },
      { provide: PartitionOwnership, useValue: deps.ownership },
      { provide: KnnLimits, useValue: deps.limits },
    ],
  })
  class IndexWriterHttpModule {}

  const app = await NestFactory.create<NestExpressApplication>(IndexWriterHttpModule, { bodyParser: false, logger: false });
  app.use(express.json({ limit: deps.maxBodyBytes }));
  const errors = new HttpErrorFilter(deps.logger, { map: bodyParserError });
  app.useGlobalFilters(errors);
  // POST /v1/knn (the query path) is answered before Express; KnnController keeps the same route for the OpenAPI document.
  serveFastJsonRoutes(
    app.getHttpServer(),
    [
      {
        path: '/v1/knn',
        maxBodyBytes: deps.maxBodyBytes,
        handle: (body) => deps.queries.knn(parseKnnRequest(body, deps.limits.dim, deps.limits.maxK)),
        toError: (err) => errors.toResponse(err),
      },
    ],
    deps.logger,
  );
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('StyleStream index-writer').setDescription('k-NN over the HNSW shards this writer owns.').setVersion('1').build());
  SwaggerModule.setup('docs', app, document);
  return app;
}
