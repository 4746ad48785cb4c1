import type { INestApplicationContext } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import type { TopicContract } from '@stylestream/schemas';
import { InternalError } from '@stylestream/errors';
import type { MessageCodec } from '../codec/message-codec.port';
import type { KafkaConfig } from '../config/kafka.config';
import { HandlerOutcome, Outcome, isHandlerOutcome } from '../delivery/handler-outcome';
import type { ConsumedMessage } from '../consumer/consumed-message';
import { StageConsumer } from '../consumer/stage-consumer';
import { stageRoute } from '../consumer/stage-handler';
import type { StageRoute } from '../consumer/stage-route';
import { AvroProducer } from '../producer/avro-producer';
import { DeadLetterPublisher } from '../producer/dead-letter.publisher';
import { KafkaStageContext } from './kafka-stage.context';
import { KAFKA_CLIENT, KAFKA_CONFIG, KAFKA_LOGGER, MESSAGE_CODEC } from './kafka.tokens';

export interface KafkaStageTransportOptions {
  readonly stage: string;
  /** Contracts of the topics the app's @EventPattern handlers consume (pattern = topic). */
  readonly contracts: readonly TopicContract<unknown>[];
  readonly groupId?: string;
  readonly fromBeginning?: boolean;
}

export interface KafkaStageTransportDeps {
  readonly kafka: Kafka;
  readonly codec: MessageCodec;
  readonly producer: AvroProducer;
  readonly config: KafkaConfig;
  readonly logger: Logger;
}

/**
 * A Nest custom transport: every `@EventPattern('<topic>')` handler becomes a
 * route of one StageConsumer. The handler receives the decoded
 * ConsumedMessage (tombstones included) and returns a HandlerOutcome; the
 * transport maps it to commit / retry / dead-letter. Why not the built-in
 * ServerKafka: see docs/DESIGN.md §4.
 * listen(): starts consuming; reports an error to Nest if a pattern has no
 * contract. close(): graceful stop (finish in-flight, commit, leave group).
 */
export class KafkaStageTransport extends Server implements CustomTransportStrategy {
  private consumer: StageConsumer | undefined;

  constructor(
    private readonly options: KafkaStageTransportOptions,
    private readonly deps: KafkaStageTransportDeps,
  ) {
    super();
  }

  /** Builds the transport from the providers of KafkaModule.forRoot in `app`. */
  static fromApp(app: INestApplicationContext, options: KafkaStageTransportOptions): KafkaStageTransport {
    return new KafkaStageTransport(options, {
      kafka: app.get<Kafka>(KAFKA_CLIENT),
      codec: app.get<MessageCodec>(MESSAGE_CODEC),
      producer: app.get(AvroProducer),
      config: app.get<KafkaConfig>(KAFKA_CONFIG),
      logger: app.get<Logger>(KAFKA_LOGGER),
    });
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): never {
    throw new InternalError('KafkaStageTransport has no events to listen to');
  }

  unwrap<T>(): T {
    if (this.consumer === undefined) throw new InternalError('KafkaStageTransport is not listening');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const routes: StageRoute[] = [];
    for (const pattern of this.getHandlers().keys()) {
      const contract = this.options.contracts.find((c) => c.topic === pattern);
      if (contract === undefined) {
        throw new InternalError(`stage ${this.options.stage}: @EventPattern('${pattern}') has no contract; pass it in KafkaStageTransport options.contracts`);
      }
      routes.push(stageRoute(contract, this.deps.codec, (message) => this.invoke(pattern, message)));
    }
    await this.deps.producer.connect();
    this.consumer = new StageConsumer(
      this.deps.kafka,
      new DeadLetterPublisher(this.deps.producer),
      this.deps.config,
      { stage: this.options.stage, groupId: this.options.groupId, fromBeginning: this.options.fromBeginning, routes },
      this.deps.logger,
    );
    await this.consumer.start();
  }

  private async invoke(pattern: string, message: ConsumedMessage<unknown>): Promise<HandlerOutcome> {
    const handler = this.getHandlerByPattern(pattern);
    if (handler === null) return Outcome.failed(new InternalError(`no handler for ${pattern}`));
    let result: unknown;
    try {
      result = await lastValueFrom(this.transformToObservable(await handler(message, new KafkaStageContext([message]))), { defaultValue: undefined });
    } catch (err) {
      // Without StageExceptionFilter, Nest has replaced the error with a plain object.
      return Outcome.failed(err instanceof Error ? err : new InternalError(`stage handler for ${pattern} threw: ${JSON.stringify(err)}`));
    }
    return isHandlerOutcome(result) ? result : Outcome.failed(new InternalError(`stage handler for ${pattern} returned no HandlerOutcome`));
  }
}
