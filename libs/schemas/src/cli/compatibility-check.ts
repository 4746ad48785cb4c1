import type { TopicContract } from '../contracts/topic-contract';
import type { RegistryRestClient } from '../registry/registry-rest-client';
import type { ReleasedVersion } from './released-history';

/** Outcome of checking one current schema against one earlier schema. */
export type CheckOutcome = 'COMPATIBLE' | 'INCOMPATIBLE' | 'NEW';

export interface CheckRow {
  /** Subject or contract checked. */
  subject: string;
  /** What it was checked against, e.g. `released v1` or `registry latest`. */
  against: string;
  outcome: CheckOutcome;
  detail: string;
}

/** One distinct schema per contract name (the DLQ subjects all share `dead-letter`). */
function byContractName(contracts: readonly TopicContract<unknown>[]): TopicContract<unknown>[] {
  const seen = new Map<string, TopicContract<unknown>>();
  for (const c of contracts) if (!seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()];
}

/** Offline check with avsc schema resolution: can the current schema read data written with each released version? */
export function checkHistoryOffline(contracts: readonly TopicContract<unknown>[], history: Map<string, ReleasedVersion[]>): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const contract of byContractName(contracts)) {
    const released = history.get(contract.name) ?? [];
    if (released.length === 0) rows.push({ subject: contract.name, against: 'released history', outcome: 'NEW', detail: 'no released version yet' });
    for (const version of released) {
      try {
        contract.type.createResolver(version.type);
        rows.push({ subject: contract.name, against: `released v${version.version}`, outcome: 'COMPATIBLE', detail: '' });
      } catch (err) {
        rows.push({ subject: contract.name, against: `released v${version.version}`, outcome: 'INCOMPATIBLE', detail: (err as Error).message });
      }
    }
  }
  return rows;
}

/**
 * The CI check: registers each contract's released history, oldest first,
 * into a fresh subject `<scratchPrefix>-<contract>-value` (BACKWARD), then asks
 * the registry whether the current schema is compatible with every released
 * version (so a replay of old records still decodes). The scratch subjects are
 * deleted afterwards. A released version the registry refuses is reported as
 * an INCOMPATIBLE row against its predecessor.
 */
export async function checkHistoryWithRegistry(
  client: RegistryRestClient,
  contracts: readonly TopicContract<unknown>[],
  history: Map<string, ReleasedVersion[]>,
  scratchPrefix: string,
): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const contract of byContractName(contracts)) {
    const released = history.get(contract.name) ?? [];
    if (released.length === 0) {
      rows.push({ subject: contract.name, against: 'released history', outcome: 'NEW', detail: 'no released version yet' });
      continue;
    }
    const subject = `${scratchPrefix}-${contract.name}-value`;
    try {
      await client.setCompatibility(subject, 'BACKWARD');
      const versionOf = new Map<number, number>();
      for (const version of released) {
        try {
          await client.register(subject, version.schemaText);
        } catch (err) {
          rows.push({ subject: contract.name, against: `released v${version.version - 1}`, outcome: 'INCOMPATIBLE', detail: `released v${version.version} itself: ${(err as Error).message}` });
          break;
        }
        const registered = await client.versions(subject);
        versionOf.set(version.version, registered[registered.length - 1]);
      }
      const current = JSON.stringify(contract.schema);
      for (const [released, registryVersion] of versionOf) {
        const verdict = await client.testCompatibility(subject, current, registryVersion);
        if (verdict === null) throw new Error(`registry lost version ${registryVersion} of scratch subject ${subject}`);
        rows.push({ subject: contract.name, against: `released v${released}`, outcome: verdict.compatible ? 'COMPATIBLE' : 'INCOMPATIBLE', detail: verdict.messages.join('; ') });
      }
    } finally {
      await client.deleteSubject(subject).catch(() => undefined);
    }
  }
  return rows;
}

/** Checks every current subject against the latest version registered in a live registry; an unknown subject is NEW. */
export async function checkLiveRegistry(client: RegistryRestClient, contracts: readonly TopicContract<unknown>[]): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const contract of contracts) {
    const verdict = await client.testCompatibility(contract.subject, JSON.stringify(contract.schema), 'latest');
    if (verdict === null) rows.push({ subject: contract.subject, against: 'registry latest', outcome: 'NEW', detail: 'subject not registered yet' });
    else rows.push({ subject: contract.subject, against: 'registry latest', outcome: verdict.compatible ? 'COMPATIBLE' : 'INCOMPATIBLE', detail: verdict.messages.join('; ') });
  }
  return rows;
}

/** Registration result of one subject. */
export interface RegisterRow {
  subject: string;
  id: number;
  version: number;
}

/** Sets each subject's compatibility to BACKWARD and registers its current schema. */
export async function registerContracts(client: RegistryRestClient, contracts: readonly TopicContract<unknown>[]): Promise<RegisterRow[]> {
  const rows: RegisterRow[] = [];
  for (const contract of contracts) {
    await client.setCompatibility(contract.subject, 'BACKWARD');
    const id = await client.register(contract.subject, JSON.stringify(contract.schema));
    const found = await client.lookup(contract.subject, JSON.stringify(contract.schema));
    rows.push({ subject: contract.subject, id, version: found.version });
  }
  return rows;
}

/** Renders rows as a fixed-width text table with a header. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
