import type { Client } from '@elastic/elasticsearch';
import { DependencyUnavailableError } from '@stylestream/errors';
import type { CatalogImageDoc } from './catalog-document';
import type { CatalogStore } from './catalog-store.port';
import type { CatalogWrite, CatalogWriteResult } from './catalog-write';
import { classifyItemError, classifyRequestError, type BulkItemError } from './elasticsearch-errors';

export interface CatalogIndexNames {
  /** Images index or alias (reads and writes; an alias must point at one index). */
  readonly images: string;
  /** Shards index or alias. */
  readonly shards: string;
}

export interface ElasticsearchCatalogStoreOptions {
  /** Read-modify-write rounds for a document whose conditional write keeps losing to concurrent writers. */
  readonly maxConflictRounds?: number;
  /** Bulk `refresh` parameter: false in production (refresh_interval), 'wait_for' in tests. */
  readonly refresh?: false | 'wait_for';
}

interface Snapshot {
  doc: CatalogImageDoc;
  seqNo: number;
  primaryTerm: number;
}

/**
 * Elasticsearch adapter of CatalogStore. One round: mget the current version
 * of every merge target (realtime, no refresh needed), compute the merged
 * document, send one bulk in which merges are conditional on the version read
 * (`if_seq_no`/`if_primary_term`, or `create` when absent) and versioned
 * documents use external versioning. A merge that loses a race (409) is read
 * and merged again in the next round; a versioned 409 means already applied.
 * At most one write per document id goes into a round, so writes of one
 * document are applied in order.
 */
export class ElasticsearchCatalogStore implements CatalogStore {
  private readonly maxRounds: number;

  constructor(
    private readonly client: Client,
    private readonly index: CatalogIndexNames,
    private readonly options: ElasticsearchCatalogStoreOptions = {},
  ) {
    this.maxRounds = options.maxConflictRounds ?? 5;
  }

  async apply(writes: readonly CatalogWrite[]): Promise<CatalogWriteResult[]> {
    const results: (CatalogWriteResult | undefined)[] = writes.map(() => undefined);
    for (let round = 0; round < this.maxRounds; round++) {
      const pending = this.nextRound(writes, results);
      if (pending.length === 0) break;
      await this.runRound(writes, pending, results);
    }
    return results.map(
      (r, i) =>
        r ?? { status: 'failed', error: new DependencyUnavailableError('elasticsearch', `document ${writes[i]?.id ?? '?'}: still conflicting after ${this.maxRounds} rounds of concurrent writes`) },
    );
  }

  /** Indices of unresolved writes, at most one per (kind, id), first come first. */
  private nextRound(writes: readonly CatalogWrite[], results: readonly (CatalogWriteResult | undefined)[]): number[] {
    const taken = new Set<string>();
    const round: number[] = [];
    writes.forEach((w, i) => {
      const key = `${w.kind}|${w.id}`;
      if (results[i] !== undefined || taken.has(key)) {
        if (results[i] === undefined) taken.add(key);
        return;
      }
      taken.add(key);
      round.push(i);
    });
    return round;
  }

  private async runRound(writes: readonly CatalogWrite[], round: number[], results: (CatalogWriteResult | undefined)[]): Promise<void> {
    const mergeIds = [...new Set(round.map((i) => writes[i]).filter((w) => w?.kind === 'merge').map((w) => (w as CatalogWrite).id))];
    const snapshots = await this.read(mergeIds);
    const operations: unknown[] = [];
    const sent: number[] = [];
    for (const i of round) {
      const write = writes[i];
      if (write.kind === 'versioned') {
        operations.push({ index: { _index: this.index.shards, _id: write.id, version: write.version, version_type: 'external' } }, write.doc);
        sent.push(i);
        continue;
      }
      const current = snapshots.get(write.id);
      const next = write.merge(current?.doc);
      if (next === undefined) {
        results[i] = { status: 'unchanged', reason: 'already applied: offset at or below the document guard' };
        continue;
      }
      operations.push(
        current === undefined
          ? { create: { _index: this.index.images, _id: write.id } }
          : { index: { _index: this.index.images, _id: write.id, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm } },
        next,
      );
      sent.push(i);
    }
    if (operations.length === 0) return;
    const items = await this.bulk(operations);
    sent.forEach((i, n) => {
      const write = writes[i];
      const item = items[n];
      if (item === undefined) {
        results[i] = { status: 'failed', error: new DependencyUnavailableError('elasticsearch', `bulk response lacks item ${n}`) };
        return;
      }
      if (item.status >= 200 && item.status < 300) results[i] = { status: 'applied' };
      else if (item.status === 409) {
        if (write.kind === 'versioned') results[i] = { status: 'unchanged', reason: 'already applied: external version conflict' };
        // merge: lost a race with a concurrent writer; read again next round
      } else results[i] = { status: 'failed', error: classifyItemError(item.status, item.error, write.id) };
    });
  }

  private async read(ids: string[]): Promise<Map<string, Snapshot>> {
    const found = new Map<string, Snapshot>();
    if (ids.length === 0) return found;
    let response;
    try {
      response = await this.client.mget<CatalogImageDoc>({ index: this.index.images, ids, realtime: true });
    } catch (err) {
      throw classifyRequestError(err, `mget of ${ids.length} catalogue documents`);
    }
    for (const doc of response.docs) {
      if ('error' in doc && doc.error !== undefined) {
        throw new DependencyUnavailableError('elasticsearch', `mget ${doc._id}: ${doc.error.type}: ${doc.error.reason ?? ''}`);
      }
      if ('found' in doc && doc.found && doc._source !== undefined && doc._seq_no !== undefined && doc._primary_term !== undefined) {
        found.set(doc._id, { doc: doc._source, seqNo: doc._seq_no, primaryTerm: doc._primary_term });
      }
    }
    return found;
  }

  private async bulk(operations: unknown[]): Promise<{ status: number; error?: BulkItemError }[]> {
    let response;
    try {
      response = await this.client.bulk({ operations, refresh: this.options.refresh ?? false });
    } catch (err) {
      throw classifyRequestError(err, `bulk of ${operations.length / 2} catalogue documents`);
    }
    return response.items.map((entry) => {
      const item = entry.index ?? entry.create ?? entry.update ?? entry.delete;
      return { status: item?.status ?? 0, error: item?.error };
    });
  }
}
