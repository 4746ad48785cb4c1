import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { REGISTRY_CONTENT_TYPE } from './content-type';
import { SCHEMA_LOG } from './tokens';
import { Inject } from '@nestjs/common';
import type { SchemaLog } from '../store/schema-log';

/** GET / (Confluent answers {}) and GET /health (200 once caught up with the log and able to write). */
@Controller()
export class RootController {
  constructor(@Inject(SCHEMA_LOG) private readonly log: SchemaLog) {}

  @Get()
  root(@Res() res: Response): void {
    res.setHeader('Content-Type', REGISTRY_CONTENT_TYPE);
    res.send('{}');
  }

  @Get('health')
  health(@Res() res: Response): void {
    const status = this.log.status();
    const healthy = status.caughtUp && !status.fenced;
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'UP' : 'DOWN', ...status });
  }
}
