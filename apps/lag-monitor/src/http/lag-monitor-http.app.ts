import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LagMonitorService } from '../monitor/lag-monitor.service';
import { LagMonitorHttpModule } from './lag-monitor-http.module';

/** Builds (does not start) the lag monitor HTTP app, with OpenAPI at /docs (JSON at /docs-json). */
export async function createLagMonitorHttpApp(monitor: LagMonitorService): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(LagMonitorHttpModule.register(monitor), { logger: false });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('StyleStream lag monitor')
      .setDescription('Consumer lag, freshness and Burrow-style status of every consumer group.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
