export * from './pipeline-metrics';
export * from './sink-metrics';
export * from './ops-http.server';
export * from './scrape-target.file';
export * from './metrics.controller';
export * from './metrics.module';
export { httpRequestDuration, UNMATCHED_ROUTE } from './http-metrics.middleware';
