import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InternalError } from '@stylestream/errors';
import type { KafkaConfig } from '../config/kafka.config';
import { DeliveryState } from '../delivery/delivery-state';
import { DeadLetterSink, PartitionBatchProcessor } from './partition-batch.processor';
import type { AnyStageRoute } from './stage-route';

export interface StageConsumerOptions {
  /** Stage name, recorded in dead-letter envelopes (e.g. `extractor`). */
  readonly stage: string;
  /** Consumer group; defaults to config.groupId. */
  readonly groupId?: string;
  /** One route per subscribed topic: per-message (stageRoute) or batch (stageBatchRoute). */
  readonly routes: readonly AnyStageRoute[];
  /** Where a new group starts: earliest (default, nothing is missed) or latest. */
  readonly fromBeginning?: boolean;
  /**
   * Called synchronously each time the consumer joins the group (start and
   * every rebalance), with the partitions now assigned, before any fetch of
   * the new generation. Each returned position is sought: the next record
   * read from that partition is `offset`. Stateful sinks that keep their own
   * offsets (e.g. index snapshots) use it to resume exactly where their state
   * ends, whatever the committed offset. Absent: committed offsets are used.
   */
  readonly seekOnJoin?: (assigned: readonly TopicPartitions[]) => readonly SeekPosition[];
}

/** Partitions of one topic assigned to this consumer. */
export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** Where to resume one partition: the offset of the next record to read. */
export interface SeekPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The consumer of one pipeline stage: batch consumption with manual commits.
 * Partitions run in parallel (up to partitionsConcurrency), messages of a
 * partition strictly in order (PartitionBatchProcessor). After each batch the
 * resolved offsets, which never pass an unsettled message, are committed.
 * A batch that ends on a retry pauses its partition and resumes it after the
 * backoff delay; the unresolved tail is fetched again.
 *
 * start(): connects, subscribes, joins the group and starts consumption;
 * throws DependencyUnavailableError when the broker cannot be reached (a
 * failed join is logged as a crash and retried by kafkajs).
 * stop(): stops fetching, lets the in-flight message of each partition
 * finish, commits, and leaves the group, within config.shutdownTimeoutMs;
 * after the deadline it returns anyway (uncommitted work is redelivered).
 */
export class StageConsumer {
  private readonly consumer: Consumer;
  private readonly processor: PartitionBatchProcessor;
  private readonly routes: Map<string, AnyStageRoute>;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private running = false;
  private stopping: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    deadLetters: DeadLetterSink,
    private readonly config: KafkaConfig,
    private readonly options: StageConsumerOptions,
    private readonly logger: Logger,
  ) {
    if (options.routes.length === 0) throw new InternalError(`stage ${options.stage} has no routes`);
    this.routes = new Map(options.routes.map((r) => [r.topic, r]));
    if (this.routes.size !== options.routes.length) throw new InternalError(`stage ${options.stage} has two routes for one topic`);
    this.consumer = kafka.consumer({
      groupId: options.groupId ?? config.groupId,
      sessionTimeout: config.consumer.sessionTimeoutMs,
      heartbeatInterval: config.consumer.heartbeatIntervalMs,
      maxBytesPerPartition: config.consumer.maxBytesPerPartition,
      maxWaitTimeInMs: config.consumer.maxWaitTimeMs,
      allowAutoTopicCreation: false,
    });
    this.processor = new PartitionBatchProcessor({ stage: options.stage, policy: config.retryPolicy, deadLetters, logger });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.logger.error({ stage: options.stage, error: String(event.payload.error), restart: event.payload.restart }, 'consumer crashed');
    });
    const seekOnJoin = options.seekOnJoin;
    if (seekOnJoin !== undefined) {
      // kafkajs emits GROUP_JOIN synchronously after join+sync and applies pending seeks before the next fetch.
      this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
        const assigned = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
        for (const position of seekOnJoin(assigned)) {
          this.consumer.seek({ topic: position.topic, partition: position.partition, offset: position.offset });
        }
        this.logger.info({ stage: options.stage, assigned }, 'joined group; positions sought');
      });
    }
  }

  get topics(): string[] {
    return [...this.routes.keys()];
  }

  async start(): Promise<void> {
    if (this.running) return;
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    } catch (err) {
      throw new DependencyUnavailableError('kafka', `stage ${this.options.stage} could not join group / subscribe to ${this.topics.join(', ')}`, err);
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.consumer.partitionsConcurrency,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.running = true;
    this.logger.info({ stage: this.options.stage, topics: this.topics }, 'stage consumer started');
  }

  /** Graceful and idempotent; concurrent callers share one shutdown. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    const deadlineMs = this.config.shutdownTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMs);
    });
    // disconnect() = stop fetching, wait for running eachBatch calls (each ends after
    // its in-flight message and commits), then leave the group.
    const result = await Promise.race([this.consumer.disconnect().then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    this.running = false;
    if (result === 'deadline') {
      this.logger.warn({ stage: this.options.stage, deadlineMs }, 'shutdown deadline passed; uncommitted messages will be redelivered');
    } else {
      this.logger.info({ stage: this.options.stage }, 'stage consumer stopped and left the group');
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const route = this.routes.get(batch.topic);
    if (route === undefined) throw new InternalError(`no route for topic ${batch.topic}`);
    const result = await this.processor.process(route, batch.partition, batch.messages, {
      resolveOffset: (offset) => payload.resolveOffset(offset),
      heartbeat: () => payload.heartbeat(),
      isRunning: () => payload.isRunning() && !payload.isStale() && this.stopping === undefined,
    });
    const uncommitted = payload.uncommittedOffsets();
    if (uncommitted.topics.length > 0) {
      await payload.commitOffsetsIfNecessary(uncommitted);
      this.logger.debug({ stage: this.options.stage, state: DeliveryState.COMMITTED, offsets: uncommitted.topics }, 'offsets committed');
    }
    if (result.kind === 'paused' && this.stopping === undefined) {
      const resume = payload.pause();
      const timer = setTimeout(() => {
        this.resumeTimers.delete(timer);
        resume();
      }, result.delayMs);
      this.resumeTimers.add(timer);
    }
  }
}
