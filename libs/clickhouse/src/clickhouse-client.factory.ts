import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { ClickHouseConnectionConfig } from './clickhouse.config';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/**
 * One `@clickhouse/client` API over either connection. The embedded engine
 * is in-process and holds its data directory exclusively: one process per
 * path (tests use a unique temporary path). close() releases it.
 */
export function createClickHouseClient(config: ClickHouseConnectionConfig): ClickHouseClient {
  switch (config.kind) {
    case 'embedded': {
      const path = resolve(config.path);
      mkdirSync(path, { recursive: true });
      // chdb declares the Connection contract from @clickhouse/client-common, which @clickhouse/client 1.23.1
      // now bundles as its own copy: identical at run time, distinct nominal types for the compiler.
      const connection = createChdbConnection({ path }) as unknown as ClientConnection;
      return createClient({ connection });
    }
    case 'http':
      return createClient({
        url: config.url,
        username: config.username,
        password: config.password,
        database: config.database,
        request_timeout: config.requestTimeoutMs,
      });
  }
}

/** Short description for logs (never the password). */
export function describeClickHouse(config: ClickHouseConnectionConfig): string {
  return config.kind === 'embedded' ? `embedded chdb at ${resolve(config.path)}` : `${config.url} as ${config.username}`;
}
