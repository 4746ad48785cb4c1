import type { ClickHouseClient } from '@stylestream/clickhouse';
import { toClickHouseError } from '@stylestream/clickhouse';
import type { SqlQuery } from './stats-queries';

/** Runs a read query and returns its rows; DependencyUnavailableError when the store is down. */
export interface SqlRunner {
  rows<T>(query: SqlQuery): Promise<T[]>;
}

export class ClickHouseSqlRunner implements SqlRunner {
  constructor(private readonly client: ClickHouseClient) {}

  async rows<T>(q: SqlQuery): Promise<T[]> {
    try {
      return await (await this.client.query({ query: q.query, query_params: q.params, format: 'JSONEachRow' })).json<T>();
    } catch (err) {
      throw toClickHouseError(err, 'stats query');
    }
  }
}
