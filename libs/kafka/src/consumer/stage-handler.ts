import type { TopicContract } from '@stylestream/schemas';
import type { MessageCodec } from '../codec/message-codec.port';
import type { HandlerOutcome } from '../delivery/handler-outcome';
import { ConsumedMessage, RawMessage, headersAsStrings } from './consumed-message';
import type { StageRoute } from './stage-route';

/**
 * A stage's handler for one topic: decode is done, call one service method,
 * return its outcome. Called once per attempt, never concurrently for the
 * same partition. May throw; a throw counts as failed(error).
 */
export type StageHandler<T> = (message: ConsumedMessage<T>) => Promise<HandlerOutcome>;

/** Binds a topic contract, the codec and a typed handler into a route. */
export function stageRoute<T>(contract: TopicContract<T>, codec: MessageCodec, handler: StageHandler<T>): StageRoute {
  return {
    topic: contract.topic,
    async prepare(raw: RawMessage, partition: number, attempt: number) {
      const message = await decodeConsumed(contract, codec, raw, partition, attempt);
      return () => handler(message);
    },
  };
}

/**
 * RECEIVED → DECODED: the record as a typed ConsumedMessage (a null value is a
 * tombstone). Throws what the codec throws (InvalidInputError for bytes that
 * can never be decoded, DependencyUnavailableError when the registry is down).
 */
export async function decodeConsumed<T>(
  contract: TopicContract<T>,
  codec: MessageCodec,
  raw: RawMessage,
  partition: number,
  attempt: number,
): Promise<ConsumedMessage<T>> {
  const base = {
    topic: contract.topic,
    partition,
    offset: raw.offset,
    key: raw.key === null ? null : raw.key.toString('utf8'),
    headers: headersAsStrings(raw.headers),
    timestamp: raw.timestamp,
    attempt,
  };
  return raw.value === null
    ? { ...base, tombstone: true, value: null }
    : { ...base, tombstone: false, value: (await codec.decode(raw.value, contract)).value };
}
