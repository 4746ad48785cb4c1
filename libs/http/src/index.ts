export * from './health.controller';
export * from './http-error.filter';
