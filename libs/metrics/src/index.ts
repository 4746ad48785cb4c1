export * from './pipeline-metrics';
export * from './metrics.controller';
export * from './metrics.module';
