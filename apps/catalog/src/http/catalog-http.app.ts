import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { CatalogQueryModule, type CatalogQueryModuleOptions } from '@stylestream/catalog';
import { HealthController, HttpErrorFilter } from '@stylestream/http';
import { MetricsModule } from '@stylestream/metrics';

export interface CatalogHttpOptions {
  /** The query side (GET /v1/images and the candidate source), see CatalogQueryModule. */
  readonly query: CatalogQueryModuleOptions;
  readonly logger: Logger;
}

/** The catalogue's HTTP surface: GET /v1/images (CatalogQueryModule), /health, /metrics. */
@Module({})
export class CatalogHttpModule {
  static register(options: CatalogHttpOptions): DynamicModule {
    return {
      module: CatalogHttpModule,
      imports: [MetricsModule, CatalogQueryModule.register(options.query)],
      controllers: [HealthController],
    };
  }
}

/** Builds (does not start) the HTTP app, with OpenAPI at /docs (JSON at /docs-json). */
export async function createCatalogHttpApp(options: CatalogHttpOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(CatalogHttpModule.register(options), { logger: false });
  // Invalid parameters 400, Elasticsearch down 503, the rest 500.
  app.useGlobalFilters(new HttpErrorFilter(options.logger));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('StyleStream catalogue').setDescription('Label and point search over the Elasticsearch catalogue of images.').setVersion('1').build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
