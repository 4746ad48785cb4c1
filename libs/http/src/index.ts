export * from './health.controller';
export * from './http-error.filter';
export * from './api-key.verifier';
export * from './key-rate.limiter';
export * from './api-key.middleware';
export * from './fast-json.route';
