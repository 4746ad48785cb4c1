import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumedMessage } from '../consumer/consumed-message';

/** The `@Ctx()` of a stage handler: where the message came from. */
export class KafkaStageContext extends BaseRpcContext<[ConsumedMessage<unknown>]> {
  getMessage(): ConsumedMessage<unknown> {
    return this.args[0];
  }
  getTopic(): string {
    return this.args[0].topic;
  }
  getPartition(): number {
    return this.args[0].partition;
  }
  getOffset(): string {
    return this.args[0].offset;
  }
}
