import type { TopicContract } from '@stylestream/schemas';
import { InternalError } from '@stylestream/errors';
import type { MessageCodec } from '../codec/message-codec.port';
import type { HandlerOutcome } from '../delivery/handler-outcome';
import type { ConsumedMessage } from './consumed-message';
import { decodeConsumed, type StageHandler } from './stage-handler';
import type { BatchCallContext, BatchStageRoute } from './stage-route';

/**
 * A sink's handler for one topic, called with decoded messages of ONE
 * partition in offset order (never concurrently for the same partition) and
 * resolving with one outcome per message, in the same order. A throw fails
 * every message with that error. Messages after the first one that must be
 * retried are handled again on redelivery even if they succeeded: the
 * handler's effects must be idempotent (docs/DESIGN.md §4, "Batch routes").
 */
export type StageBatchHandler<T> = (messages: readonly ConsumedMessage<T>[], call?: BatchCallContext) => Promise<readonly HandlerOutcome[]>;

/**
 * A batch handler from a per-message one for sinks whose handler only submits
 * to an order-preserving batcher and resolves when its write lands: every
 * message of the call is submitted at once, in offset order (so writes of one
 * key keep their order), and a batcher write can hold a whole partition batch
 * instead of one message per partition. One outcome per message, in order.
 */
export function submitEach<T>(handler: StageHandler<T>): StageBatchHandler<T> {
  return (messages) => Promise.all(messages.map((m) => handler(m)));
}

export interface StageBatchRouteOptions {
  /** Most messages per handler call; a bigger fetched batch is split (default 500). */
  readonly maxMessagesPerCall?: number;
}

export const DEFAULT_MAX_MESSAGES_PER_CALL = 500;

/** Binds a topic contract, the codec and a typed batch handler into a batch route. */
export function stageBatchRoute<T>(
  contract: TopicContract<T>,
  codec: MessageCodec,
  handler: StageBatchHandler<T>,
  options: StageBatchRouteOptions = {},
): BatchStageRoute {
  const maxMessagesPerCall = options.maxMessagesPerCall ?? DEFAULT_MAX_MESSAGES_PER_CALL;
  if (!Number.isInteger(maxMessagesPerCall) || maxMessagesPerCall < 1) {
    throw new InternalError(`maxMessagesPerCall must be a positive integer (got ${maxMessagesPerCall})`);
  }
  return {
    topic: contract.topic,
    mode: 'batch',
    maxMessagesPerCall,
    decode: (raw, partition, attempt) => decodeConsumed(contract, codec, raw, partition, attempt),
    // Every message reaching handle() was produced by decode() above for this contract.
    handle: (messages, call) => handler(messages as readonly ConsumedMessage<T>[], call),
  };
}
