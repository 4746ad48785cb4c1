import { HandlerOutcome } from '../delivery/handler-outcome';
import type { ConsumedMessage, RawMessage } from './consumed-message';

/**
 * One subscribed topic with its decoder and handler, with the value type
 * erased so routes of different topics fit in one consumer.
 * `prepare` decodes the raw record (throwing InvalidInputError for bytes that
 * can never be decoded, DependencyUnavailableError when the registry is
 * unreachable) and returns the handler invocation, which the consumer times
 * and calls exactly once per attempt.
 */
export interface StageRoute {
  readonly topic: string;
  prepare(raw: RawMessage, partition: number, attempt: number): Promise<() => Promise<HandlerOutcome>>;
}

/**
 * One subscribed topic whose handler takes a partition's batch at once (sinks
 * writing in bulk). The processor decodes each record with `decode` (which
 * throws like `StageRoute.prepare`; failures are dead-lettered or pause the
 * partition without reaching the handler), then calls `handle` once per at
 * most `maxMessagesPerCall` decoded messages, in offset order, and applies
 * each returned outcome in offset order (see PartitionBatchProcessor).
 * `handle` must resolve with one HandlerOutcome per message, in the same
 * order; a throw or any other value fails every message of the call.
 */
export interface BatchStageRoute {
  readonly topic: string;
  readonly mode: 'batch';
  readonly maxMessagesPerCall: number;
  decode(raw: RawMessage, partition: number, attempt: number): Promise<ConsumedMessage<unknown>>;
  handle(messages: readonly ConsumedMessage<unknown>[], call: BatchCallContext): Promise<unknown>;
}

/**
 * What a batch handler may use during its call. A handler whose call can take
 * longer than a fraction of the session timeout (CPU work over many records)
 * awaits `heartbeat()` between records now and then: it keeps the group
 * membership alive (the client sends one only when its interval is due) and
 * yields the event loop to the other partitions' calls.
 */
export interface BatchCallContext {
  heartbeat(): Promise<void>;
}

/** Either kind of route; a StageConsumer may mix them (one per topic). */
export type AnyStageRoute = StageRoute | BatchStageRoute;

export function isBatchStageRoute(route: AnyStageRoute): route is BatchStageRoute {
  return 'mode' in route && route.mode === 'batch';
}
