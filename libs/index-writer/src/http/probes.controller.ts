import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PartitionOwnership } from '../partition-ownership';

/** /healthz: the process serves HTTP. /readyz: joined to the group and every assigned partition's shards loaded (else 503 with the reason). */
@ApiTags('ops')
@Controller()
export class ProbesController {
  constructor(@Inject(PartitionOwnership) private readonly ownership: PartitionOwnership) {}

  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  ready(): { status: 'ready'; partitions: number[] } {
    const readiness = this.ownership.readiness();
    if (!readiness.ready) throw new ServiceUnavailableException({ error: 'not_ready', reason: readiness.reason });
    return { status: 'ready', partitions: this.ownership.partitions().map((p) => p.partition) };
  }
}
