import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';

/** Import into an app's HTTP module to expose GET /metrics. */
@Module({ controllers: [MetricsController] })
export class MetricsModule {}
