import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as avro from 'avsc';
import type { TopicContract } from '../contracts/topic-contract';
import type { ReleasedVersion } from './released-history';

/** What `release` did for one contract. */
export interface ReleaseRow {
  contract: string;
  action: 'UNCHANGED' | 'RELEASED';
  version: number;
  path: string;
}

/**
 * Freezes the working copy of each contract as the next released version
 * (`<dir>/<contract>/v<N+1>.avsc`) when it differs from the latest release
 * (compared in Avro parsing canonical form plus docs and defaults: any change).
 * The caller checks compatibility first.
 */
export function releaseContracts(contracts: readonly TopicContract<unknown>[], history: Map<string, ReleasedVersion[]>, dir: string): ReleaseRow[] {
  const rows: ReleaseRow[] = [];
  const done = new Set<string>();
  for (const contract of contracts) {
    if (done.has(contract.name)) continue;
    done.add(contract.name);
    const released = history.get(contract.name) ?? [];
    const latest = released[released.length - 1];
    const current = JSON.stringify(contract.schema);
    if (latest !== undefined && sameSchema(latest.schemaText, current)) {
      rows.push({ contract: contract.name, action: 'UNCHANGED', version: latest.version, path: latest.path });
      continue;
    }
    const version = (latest?.version ?? 0) + 1;
    const path = join(dir, contract.name, `v${version}.avsc`);
    mkdirSync(join(dir, contract.name), { recursive: true });
    writeFileSync(path, `${JSON.stringify(contract.schema, null, 2)}\n`);
    rows.push({ contract: contract.name, action: 'RELEASED', version, path });
  }
  return rows;
}

/** Same schema including docs and defaults (key order ignored via avsc's full schema export). */
function sameSchema(a: string, b: string): boolean {
  const full = (text: string): string => JSON.stringify(avro.Type.forSchema(JSON.parse(text) as avro.Schema).schema({ exportAttrs: true }));
  return full(a) === full(b);
}
