import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { LagMonitorService } from '../monitor/lag-monitor.service';

/** Liveness plus when the last poll succeeded; Kafka trouble shows in the poll metrics, not as a failing health check. */
@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(@Inject(LagMonitorService) private readonly monitor: LagMonitorService) {}

  @Get()
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' }, polledAt: { type: 'string', nullable: true } } } })
  health(): { status: 'ok'; polledAt: string | null } {
    return { status: 'ok', polledAt: this.monitor.latest().polledAt };
  }
}
