import type { Logger } from 'pino';
import type { DeadLetter } from '@stylestream/schemas';
import { DependencyUnavailableError, InternalError, errorClassOf, reasonOf } from '@stylestream/errors';
import { pipelineMetrics } from '@stylestream/metrics';
import { DeliveryAction, decideDelivery } from '../delivery/delivery-decision';
import { DeliveryState } from '../delivery/delivery-state';
import { HandlerOutcome, Outcome, isHandlerOutcome } from '../delivery/handler-outcome';
import { buildDeadLetter } from '../delivery/dead-letter-envelope';
import { RetryPolicy } from '../delivery/retry-policy';
import { ConsumedMessage, RawMessage } from './consumed-message';
import { RetryLedger } from './retry-ledger';
import { AnyStageRoute, BatchStageRoute, StageRoute, isBatchStageRoute } from './stage-route';

/**
 * Writes a dead-letter envelope to `<sourceTopic>.dlq`, keyed by the original
 * key. Resolves only once the broker acknowledged it (acks=all); throws
 * DependencyUnavailableError when it cannot, and the message then stays
 * unsettled (the partition pauses and it is tried again).
 */
export interface DeadLetterSink {
  send(envelope: DeadLetter): Promise<void>;
}

/** Per-batch callbacks from the Kafka client (kafkajs eachBatch payload). */
export interface BatchControls {
  /** Marks `offset` settled; the next fetch of this partition starts after it. */
  resolveOffset(offset: string): void;
  /** Keeps the group membership alive during long batches (throttled by the client). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the group rebalances: stop taking new messages. */
  isRunning(): boolean;
}

/** How a batch ended. `settled` counts messages HANDLED or DEAD_LETTERED (offset resolved). */
export type BatchResult =
  | { readonly kind: 'completed'; readonly settled: number }
  | { readonly kind: 'interrupted'; readonly settled: number }
  | {
      readonly kind: 'paused';
      readonly settled: number;
      readonly offset: string;
      readonly delayMs: number;
      readonly state: DeliveryState.RETRY_SCHEDULED | DeliveryState.PAUSED;
    };

export interface PartitionBatchProcessorDeps {
  readonly stage: string;
  readonly policy: RetryPolicy;
  readonly deadLetters: DeadLetterSink;
  readonly logger: Logger;
  readonly ledger?: RetryLedger;
  readonly random?: () => number;
  readonly now?: () => number;
  /**
   * While a batch handler's call is pending, heartbeat this often (the client
   * sends one only when its own interval is due). A call that waits on other
   * threads or services (an index-writer's shard worker writing a snapshot, a
   * sink's insert) then never outlasts the session timeout. Default 1,000 ms.
   */
  readonly keepAliveMs?: number;
}

/**
 * Processes one partition's batch strictly in offset order. Each message is
 * decoded and handled, its outcome mapped to an action (decideDelivery), and
 * its offset resolved only once it is settled. The first message that must
 * be retried ends the batch: the caller pauses the partition for `delayMs`
 * and the unresolved tail is fetched again afterwards, so a retry never
 * stalls sibling partitions and a poison message never blocks its own.
 *
 * A BatchStageRoute gets the same decisions, in the same order, with one
 * handler call per chunk of decoded messages (processBatchRoute).
 */
export class PartitionBatchProcessor {
  private readonly ledger: RetryLedger;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly deps: PartitionBatchProcessorDeps) {
    this.ledger = deps.ledger ?? new RetryLedger();
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
  }

  async process(
    route: AnyStageRoute,
    partition: number,
    messages: readonly RawMessage[],
    controls: BatchControls,
  ): Promise<BatchResult> {
    const topic = route.topic;
    pipelineMetrics.batchSize.observe({ topic }, messages.length);
    if (isBatchStageRoute(route)) return this.processBatchRoute(route, partition, messages, controls);
    let settled = 0;
    for (const message of messages) {
      if (!controls.isRunning()) return { kind: 'interrupted', settled };
      const attempts = this.ledger.previousAttempts(topic, partition, message.offset) + 1;
      const outcome = await this.attempt(route, partition, message, attempts);
      const action = decideDelivery(outcome, attempts, this.deps.policy, this.random);
      const settledNow = await this.apply(route, partition, message, action);
      if (settledNow !== undefined) return { ...settledNow, settled };
      this.ledger.settle(topic, partition);
      controls.resolveOffset(message.offset);
      settled += 1;
      await controls.heartbeat();
    }
    return { kind: 'completed', settled };
  }

  /**
   * Splits the batch into chunks of at most maxMessagesPerCall; per chunk,
   * decides every message (decode, one handler call) and then settles them in
   * offset order exactly as the per-message path does, stopping at the first
   * one to retry or pause. Messages after it stay unresolved even if handled:
   * they are handled again after the resume (idempotent sinks absorb it).
   */
  private async processBatchRoute(
    route: BatchStageRoute,
    partition: number,
    messages: readonly RawMessage[],
    controls: BatchControls,
  ): Promise<BatchResult> {
    let settled = 0;
    for (let start = 0; start < messages.length; start += route.maxMessagesPerCall) {
      if (!controls.isRunning()) return { kind: 'interrupted', settled };
      const chunk = messages.slice(start, start + route.maxMessagesPerCall);
      const actions = await this.decideChunk(route, partition, chunk, controls);
      for (const [index, action] of actions.entries()) {
        const message = chunk[index];
        if (message === undefined) break;
        const settledNow = await this.apply(route, partition, message, action);
        if (settledNow !== undefined) return { ...settledNow, settled };
        this.ledger.settle(route.topic, partition);
        controls.resolveOffset(message.offset);
        settled += 1;
      }
      await controls.heartbeat();
    }
    return { kind: 'completed', settled };
  }

  /**
   * One action per message of the chunk, in offset order. Decoding runs first;
   * a decode failure is excluded from the handler call (its dead-letter is
   * written when the settling walk reaches it); one that must be retried or
   * paused (registry down) ends the chunk there, and only the messages before
   * it go to the handler.
   */
  private async decideChunk(route: BatchStageRoute, partition: number, chunk: readonly RawMessage[], controls: BatchControls): Promise<DeliveryAction[]> {
    const decide = (outcome: HandlerOutcome, attempts: number) => decideDelivery(outcome, attempts, this.deps.policy, this.random);
    const decodeFailures = new Map<number, DeliveryAction>();
    const decoded: { index: number; message: ConsumedMessage<unknown> }[] = [];
    let length = chunk.length;
    for (const [index, raw] of chunk.entries()) {
      const attempts = this.ledger.previousAttempts(route.topic, partition, raw.offset) + 1;
      try {
        decoded.push({ index, message: await route.decode(raw, partition, attempts) });
      } catch (err) {
        const action = decide(Outcome.failed(err), attempts);
        decodeFailures.set(index, action);
        if (action.kind === 'retry' || action.kind === 'pause') {
          length = index + 1;
          break;
        }
      }
    }
    const outcomes = decoded.length > 0 ? await this.handleChunk(route, decoded.map((d) => d.message), controls) : [];
    const handled = new Map(decoded.map(({ index, message }, i) => [index, decide(outcomes[i] ?? Outcome.failed(new InternalError('no outcome')), message.attempt)]));
    return chunk.slice(0, length).map((_, index) => decodeFailures.get(index) ?? handled.get(index) ?? decide(Outcome.failed(new InternalError('no decision')), 1));
  }

  /** One handler call; a throw or a malformed result fails every message with one error. */
  private async handleChunk(route: BatchStageRoute, messages: readonly ConsumedMessage<unknown>[], controls: BatchControls): Promise<HandlerOutcome[]> {
    const stopTimer = pipelineMetrics.handlerDuration.startTimer({ topic: route.topic });
    // A failed heartbeat (the group rebalancing) is not this call's failure: isRunning() ends the batch after it.
    const keepAlive = setInterval(() => void controls.heartbeat().catch(() => undefined), this.deps.keepAliveMs ?? 1_000);
    try {
      const result: unknown = await route.handle(messages, { heartbeat: () => controls.heartbeat() });
      if (Array.isArray(result)) {
        const items: unknown[] = result;
        const outcomes = items.filter(isHandlerOutcome);
        if (items.length === messages.length && outcomes.length === items.length) return outcomes;
      }
      const got = Array.isArray(result) ? `${(result as unknown[]).length} items, not ${messages.length} outcomes` : typeof result;
      const error = new InternalError(`stage ${this.deps.stage} batch handler must return one outcome per message (got ${got})`);
      return messages.map(() => Outcome.failed(error));
    } catch (err) {
      return messages.map(() => Outcome.failed(err));
    } finally {
      clearInterval(keepAlive);
      stopTimer();
    }
  }

  /** RECEIVED → DECODED → handler; every throw becomes failed(error). */
  private async attempt(route: StageRoute, partition: number, message: RawMessage, attempts: number): Promise<HandlerOutcome> {
    let invoke: () => Promise<HandlerOutcome>;
    try {
      invoke = await route.prepare(message, partition, attempts);
    } catch (err) {
      return Outcome.failed(err);
    }
    const stopTimer = pipelineMetrics.handlerDuration.startTimer({ topic: route.topic });
    try {
      const result: unknown = await invoke();
      if (isHandlerOutcome(result)) return result;
      return Outcome.failed(new InternalError(`stage ${this.deps.stage} handler returned no outcome (got ${typeof result})`));
    } catch (err) {
      return Outcome.failed(err);
    } finally {
      stopTimer();
    }
  }

  /** Returns undefined when the message is settled, or how the batch must end. */
  private async apply(
    route: AnyStageRoute,
    partition: number,
    message: RawMessage,
    action: DeliveryAction,
  ): Promise<Exclude<BatchResult, { kind: 'completed' | 'interrupted' }> | undefined> {
    const topic = route.topic;
    const where = { topic, partition, offset: message.offset, stage: this.deps.stage };
    switch (action.kind) {
      case 'commit':
        pipelineMetrics.consumed.inc({ topic, outcome: action.outcome });
        if (action.outcome === 'skipped') this.deps.logger.debug({ ...where, reason: action.reason }, 'message skipped');
        return undefined;
      case 'retry':
      case 'pause': {
        const state = action.kind === 'retry' ? DeliveryState.RETRY_SCHEDULED : DeliveryState.PAUSED;
        this.ledger.record(topic, partition, message.offset, action.attempts);
        pipelineMetrics.consumed.inc({ topic, outcome: 'retried' });
        this.deps.logger.warn(
          { ...where, state, attempts: action.attempts, delayMs: action.delayMs, errorClass: errorClassOf(action.error), reason: reasonOf(action.error) },
          action.kind === 'retry' ? 'retriable failure; partition paused before retry' : 'dependency unavailable; partition paused',
        );
        return { kind: 'paused', offset: message.offset, delayMs: action.delayMs, state, settled: 0 };
      }
      case 'dead-letter': {
        const envelope = buildDeadLetter({ topic, partition, stage: this.deps.stage }, message, action.error, action.attempts, this.now);
        try {
          await this.deps.deadLetters.send(envelope);
        } catch (err) {
          const down = err instanceof DependencyUnavailableError ? err : new DependencyUnavailableError('kafka', 'dead-letter write failed', err);
          return this.apply(route, partition, message, decideDelivery(Outcome.failed(down), action.attempts, this.deps.policy, this.random));
        }
        pipelineMetrics.consumed.inc({ topic, outcome: 'dead_lettered' });
        pipelineMetrics.deadLettered.inc({ topic, error_class: envelope.errorClass });
        this.deps.logger.error(
          { ...where, state: DeliveryState.DEAD_LETTERED, errorClass: envelope.errorClass, reason: envelope.reason, attempts: action.attempts },
          'message dead-lettered',
        );
        return undefined;
      }
    }
  }
}
