import { DependencyUnavailableError } from '@stylestream/errors';
import type { ClickHouseClient } from '@stylestream/clickhouse';

/** Puts a switch in front of a real client: while `down`, inserts fail as if the server were unreachable. */
export class FailingClickHouseSwitch {
  down = false;
  failedInserts = 0;

  wrap(client: ClickHouseClient): ClickHouseClient {
    return new Proxy(client, {
      get: (target, prop, receiver) => {
        if (prop === 'insert') {
          return (...args: Parameters<ClickHouseClient['insert']>) => {
            if (this.down) {
              this.failedInserts += 1;
              return Promise.reject(new DependencyUnavailableError('clickhouse', 'connect ECONNREFUSED (test switch)'));
            }
            return target.insert(...args);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
