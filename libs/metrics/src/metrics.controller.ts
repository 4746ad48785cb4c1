import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { renderMetrics } from './pipeline-metrics';

/** Serves Prometheus text exposition at GET /metrics. */
@ApiExcludeController()
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    const { contentType, body } = await renderMetrics();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}
