import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

/** Liveness: the process serves HTTP. Elasticsearch reachability shows in 503s and metrics, not here. */
@ApiTags('ops')
@Controller('health')
export class HealthController {
  @Get()
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
