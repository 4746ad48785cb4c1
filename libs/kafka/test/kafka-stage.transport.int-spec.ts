/**
 * The Nest integration end to end: KafkaModule.forRoot + KafkaStageTransport
 * with @EventPattern handlers. Real: Kafka, the schema registry, Nest.
 */
import 'reflect-metadata';
import { Controller, INestApplication, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InvalidInputError } from '@stylestream/errors';
import type { ImageArrived } from '@stylestream/schemas';
import { uniqueName, waitFor } from '@stylestream/test-support';
import { ConsumedMessage, HandlerOutcome, KafkaModule, KafkaStageContext, KafkaStageTransport, Outcome, StageExceptionFilter } from '../src';
import { KafkaTestHarness, image } from './kafka-test.harness';

jest.setTimeout(60_000);

describe('KafkaStageTransport (integration)', () => {
  let h: KafkaTestHarness;
  let app: INestApplication | undefined;
  beforeEach(() => {
    h = new KafkaTestHarness();
  });
  afterEach(async () => {
    await app?.close();
    await h.close();
  });

  it('routes @EventPattern handlers, maps outcomes (errors kept by StageExceptionFilter) and leaves the group on app.close()', async () => {
    const contract = await h.imageTopic('nest');
    const groupId = uniqueName('kafka-lib-nest');
    const seen: string[] = [];

    @Controller()
    @UseFilters(new StageExceptionFilter())
    class ImageArrivedController {
      @EventPattern(contract.topic)
      handle(@Payload() message: ConsumedMessage<ImageArrived>, @Ctx() ctx: KafkaStageContext): Promise<HandlerOutcome> {
        seen.push(`${ctx.getOffset()}:${message.tombstone ? 'tombstone' : message.value.imageId}`);
        if (message.key === 'rejected') throw new InvalidInputError('labels missing', 'LABELS_MISSING');
        return Promise.resolve(message.key === 'dup' ? Outcome.skipped('duplicate') : Outcome.processed());
      }
    }

    app = await NestFactory.create(
      {
        module: class AppModule {},
        imports: [KafkaModule.forRoot({ config: h.config, codec: h.gateway, logger: h.logger })],
        controllers: [ImageArrivedController],
      },
      { logger: false },
    );
    app.connectMicroservice({ strategy: KafkaStageTransport.fromApp(app, { stage: 'nest-test', groupId, contracts: [contract] }) });
    await app.startAllMicroservices();
    await app.init();

    await h.producer.send(contract, 'a', image('a'));
    await h.producer.send(contract, 'rejected', image('rejected'));
    await h.producer.send(contract, 'dup', image('dup'));
    await h.producer.send(contract, 'a', null);

    await waitFor(async () => (await h.committed(groupId, contract.topic)) === 4, { what: 'offset 4 committed' });
    expect(seen).toEqual(['0:a', '1:rejected', '2:dup', '3:tombstone']);
    const [dead] = await h.deadLetters(contract.topic, 1);
    expect(dead).toMatchObject({ sourceOffset: 1, errorClass: 'LABELS_MISSING', reason: 'labels missing', stage: 'nest-test' });

    await app.close();
    app = undefined;
    expect(await h.groupState(groupId)).toEqual({ state: 'Empty', members: 0 });
  });
});
