export * from './start-schema-registry';
export * from './schema-registry.config';
export { InMemorySchemaLog } from './store/in-memory-schema-log';
