import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { ApiKeyVerifier, apiKeyProtection, type ErrorBody } from '@stylestream/http';
import { ingestExceptionFilter } from './ingest-exception.filter';
import { IngestHttpModule, type IngestHttpModuleOptions } from './ingest-http.module';

export interface IngestHttpAppOptions extends IngestHttpModuleOptions {
  maxBodyBytes: number;
  logger: Logger;
}

/**
 * Builds (does not start) the ingest HTTP app: JSON body parsing with a size
 * limit (413 with a reason), error mapping, and OpenAPI at /docs (JSON at /docs-json).
 */
export async function createIngestHttpApp(options: IngestHttpAppOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(IngestHttpModule.register(options), {
    bodyParser: false,
    logger: false,
  });
  // The key is checked before the body is read, so an unauthenticated client cannot make the server parse a large body;
  // ApiKeyGuard checks again on the controller (the module stays protected when mounted elsewhere).
  app.use('/v1', apiKeyProtection(new ApiKeyVerifier(options.apiKeys)));
  app.use(requireJsonOnPost);
  app.use(express.json({ limit: options.maxBodyBytes, type: ['application/json', 'application/*+json'] }));
  app.use(bodyErrorHandler(options.maxBodyBytes));
  app.useGlobalFilters(ingestExceptionFilter(options.logger));
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('StyleStream ingest')
      .setDescription('Publishes image-arrived events for crawlers without a Kafka client.')
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

function requireJsonOnPost(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST' || req.is(['application/json', 'application/*+json']) !== false) {
    next();
    return;
  }
  const body: ErrorBody = { error: 'unsupported_media_type', reason: 'send the body as application/json' };
  res.status(415).json(body);
}

/** Turns body-parser failures into the API's error shape instead of an HTML page. */
function bodyErrorHandler(maxBodyBytes: number) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const failure = err as { type?: unknown; status?: unknown; length?: unknown; message?: unknown };
    if (typeof failure?.type !== 'string' || typeof failure.status !== 'number') {
      next(err);
      return;
    }
    const body: ErrorBody =
      failure.type === 'entity.too.large'
        ? {
            error: 'payload_too_large',
            reason: `request body${typeof failure.length === 'number' ? ` of ${failure.length} bytes` : ''} exceeds the limit of ${maxBodyBytes} bytes (INGEST_MAX_BODY_BYTES); split the batch`,
          }
        : failure.type === 'entity.parse.failed'
          ? { error: 'invalid_json', reason: `body is not valid JSON: ${String(failure.message)}` }
          : { error: 'invalid_body', reason: String(failure.message) };
    res.status(failure.status).json(body);
  };
}
