import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import type { Logger } from 'pino';
import { HealthController, HttpErrorFilter } from '@stylestream/http';
import { MetricsModule } from '@stylestream/metrics';
import { AnalyticsQueryService } from '../query/analytics-query.service';
import { DashboardController } from './dashboard.controller';
import { StatsController } from './stats.controller';

/** Builds (does not start) the query API: /v1/stats/*, the /dashboard page, /health, /metrics, OpenAPI at /docs. */
export async function createAnalyticsHttpApp(queries: AnalyticsQueryService, logger: Logger): Promise<NestExpressApplication> {
  @Module({ imports: [MetricsModule], controllers: [StatsController, DashboardController, HealthController], providers: [{ provide: AnalyticsQueryService, useValue: queries }] })
  class AnalyticsHttpModule {}

  const app = await NestFactory.create<NestExpressApplication>(AnalyticsHttpModule, { bodyParser: false, logger: false });
  app.use(express.json({ limit: '1mb' }));
  app.useGlobalFilters(new HttpErrorFilter(logger));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('StyleStream analytics').setDescription('Trend and followed-blogger statistics over the image catalogue.').setVersion('1').build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
