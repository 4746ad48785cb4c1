import { HandlerOutcome } from '../delivery/handler-outcome';
import { RawMessage } from './consumed-message';

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
