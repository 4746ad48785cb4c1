export * from './wire-format';
export * from './registry-errors';
export * from './registry-client.port';
export * from './library-registry-client';
export * from './schema-registry-gateway';
export * from './registry-rest-client';
