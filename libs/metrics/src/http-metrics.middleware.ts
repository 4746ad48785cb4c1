import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram } from 'prom-client';
import { metricsRegistry } from './pipeline-metrics';

/** Route label of a request no route matched (404s of scanners must not create series). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `stylestream_http_request_duration_seconds{method,route,status_code}`; its
 * `_count` is the request count. `route` is the route template
 * (`/v1/images/:imageId`), never the raw path, so label values stay bounded.
 */
export const httpRequestDuration = new Histogram({
  name: 'stylestream_http_request_duration_seconds',
  help: 'HTTP requests by method, route template and status code, from arrival to the last byte sent.',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/**
 * Times every request of a Nest (Express) app, including those a guard or a
 * filter answered (401, 400, 503). Applied to all routes by MetricsModule.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const stopTimer = httpRequestDuration.startTimer();
    // Nest mounts this middleware as a catch-all route: when no handler route
    // replaced it by the end, no route matched.
    const own: unknown = req.route;
    res.once('finish', () => {
      const route: unknown = req.route;
      const path = route === own ? undefined : (route as { path?: unknown } | undefined)?.path;
      stopTimer({ method: req.method, route: typeof path === 'string' ? path : UNMATCHED_ROUTE, status_code: String(res.statusCode) });
    });
    next();
  }
}
