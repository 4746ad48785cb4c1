import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MetricsModule } from '@stylestream/metrics';
import { ExtractorReadiness } from './extractor-readiness';
import { ProbesController } from './probes.controller';

@Module({})
class ExtractorHttpModule {
  static register(readiness: ExtractorReadiness, metricsEnabled: boolean): DynamicModule {
    return {
      module: ExtractorHttpModule,
      imports: metricsEnabled ? [MetricsModule] : [],
      controllers: [ProbesController],
      providers: [{ provide: ExtractorReadiness, useValue: readiness }],
    };
  }
}

/** Builds (does not start) the extractor's ops HTTP app: /healthz, /readyz and, when metrics are enabled, /metrics. */
export async function createExtractorHttpApp(readiness: ExtractorReadiness, metricsEnabled: boolean): Promise<NestExpressApplication> {
  return NestFactory.create<NestExpressApplication>(ExtractorHttpModule.register(readiness, metricsEnabled), { logger: false });
}
