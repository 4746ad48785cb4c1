import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

/**
 * Liveness: the process serves HTTP. Dependency reachability (Kafka,
 * Elasticsearch, ClickHouse) shows in 503s and metrics, not here, so a broker
 * outage does not get healthy pods restarted.
 */
@ApiTags('ops')
@Controller('health')
export class HealthController {
  @Get()
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
