import { reasonOf } from '@stylestream/errors';
import type { OwnerDirectory } from './owner-directory';
import { OwnerRejectedError } from './owner-rejected.error';
import type { Coverage, MissReason, MissingPart } from './search-query';
import type { KnnAnswer, KnnRequest, ShardOwnerClient } from './shard-owner.port';

/** One owner's part of a fan-out. */
export type OwnerOutcome =
  | { readonly owner: string; readonly kind: 'answered'; readonly answer: KnnAnswer }
  /** The owner answered 4xx (e.g. 404: it has no index of that model version). */
  | { readonly owner: string; readonly kind: 'rejected'; readonly error: OwnerRejectedError }
  | { readonly owner: string; readonly kind: MissReason; readonly detail: string };

const DEADLINE = Symbol('deadline');

/**
 * Sends one k-NN request to every owner at once, each with its own deadline:
 * at `deadlineMs` the owner's request is aborted (AbortController) and the
 * owner counts as missing, whatever it does afterwards. So the whole fan-out
 * settles within the deadline plus scheduling, however many owners are dead
 * or slow; it never rejects.
 */
export async function fanOut(client: ShardOwnerClient, owners: readonly string[], request: KnnRequest, deadlineMs: number): Promise<OwnerOutcome[]> {
  return Promise.all(owners.map((owner) => askOne(client, owner, request, deadlineMs)));
}

async function askOne(client: ShardOwnerClient, owner: string, request: KnnRequest, deadlineMs: number): Promise<OwnerOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The timer settles the race even when a client ignores the signal.
  const deadline = new Promise<typeof DEADLINE>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(DEADLINE);
    }, deadlineMs);
  });
  const call = client.knn(owner, request, controller.signal);
  try {
    const answer = await Promise.race([call, deadline]);
    if (answer === DEADLINE) {
      call.catch(() => undefined);
      return { owner, kind: 'deadline', detail: `no answer within ${deadlineMs} ms` };
    }
    return { owner, kind: 'answered', answer };
  } catch (err) {
    if (controller.signal.aborted) return { owner, kind: 'deadline', detail: `no answer within ${deadlineMs} ms` };
    if (err instanceof OwnerRejectedError) return { owner, kind: 'rejected', error: err };
    return { owner, kind: 'error', detail: reasonOf(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Coverage of a fan-out: answered shards from the answers themselves, missing
 * ones named from each missing owner's last known listing. An owner that
 * rejected the request (no index of that model version) holds no shard of it
 * and does not count as missing.
 */
export function coverageOf(outcomes: readonly OwnerOutcome[], directory: OwnerDirectory, modelVersion: string | undefined): Coverage {
  let answered = 0;
  let answeredOwners = 0;
  let timedOut = 0;
  let failed = 0;
  const missing: MissingPart[] = [];
  for (const o of outcomes) {
    switch (o.kind) {
      case 'answered':
        answered += o.answer.shards.length;
        answeredOwners += 1;
        break;
      case 'rejected':
        answeredOwners += 1;
        break;
      case 'deadline':
      case 'error': {
        const shards = directory.shardsOf(o.owner, modelVersion);
        const count = Math.max(1, shards.length);
        if (o.kind === 'deadline') timedOut += count;
        else failed += count;
        missing.push({ owner: o.owner, shards, reason: o.kind, detail: o.detail });
        break;
      }
      default: {
        const never: never = o;
        throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
      }
    }
  }
  return { shards: answered + timedOut + failed, answered, timedOut, failed, owners: { total: outcomes.length, answered: answeredOwners }, missing };
}
