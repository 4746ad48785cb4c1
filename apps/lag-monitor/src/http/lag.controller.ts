import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LagReport } from '../domain/lag-report';
import { LagMonitorService } from '../monitor/lag-monitor.service';
import { LagReportDto } from './lag-report.dto';

/** GET /v1/lag: the latest poll's lag, freshness and status of every reported group. */
@ApiTags('lag')
@Controller('v1/lag')
export class LagController {
  constructor(@Inject(LagMonitorService) private readonly monitor: LagMonitorService) {}

  @Get()
  @ApiOperation({ summary: 'Consumer lag per group, topic and partition, with a Burrow-style status per group' })
  @ApiOkResponse({ type: LagReportDto })
  lag(): LagReport {
    return this.monitor.latest();
  }
}
