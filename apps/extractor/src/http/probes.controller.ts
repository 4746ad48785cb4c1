import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ExtractorReadiness, type ReadinessReport } from './extractor-readiness';

/**
 * GET /healthz: liveness (the process serves HTTP; never depends on Kafka, so a
 * broker outage does not get a healthy extractor restarted).
 * GET /readyz: 200 when the model is loaded and Kafka is connected, else 503; the body names each check.
 */
@ApiTags('ops')
@Controller()
export class ProbesController {
  constructor(@Inject(ExtractorReadiness) private readonly readiness: ExtractorReadiness) {}

  @Get('healthz')
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'model loaded and Kafka connected' })
  @ApiServiceUnavailableResponse({ description: 'not ready; `checks` says which condition is missing' })
  readyz(@Res({ passthrough: true }) res: Response): ReadinessReport {
    const report = this.readiness.report();
    res.status(report.ready ? 200 : 503);
    return report;
  }
}
