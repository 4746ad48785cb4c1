export type { ClickHouseClient } from '@clickhouse/client';
export * from './clickhouse.config';
export * from './clickhouse-client.factory';
export * from './clickhouse-errors';
export * from './migration-files';
export * from './migration.runner';
