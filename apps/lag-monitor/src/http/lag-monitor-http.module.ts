import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MetricsModule } from '@stylestream/metrics';
import { LagMonitorService } from '../monitor/lag-monitor.service';
import { HealthController } from './health.controller';
import { LagController } from './lag.controller';

/** The lag monitor's HTTP surface (/v1/lag, /health, /metrics); starts the poller on boot and stops it on shutdown. */
@Module({})
export class LagMonitorHttpModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(LagMonitorService) private readonly monitor: LagMonitorService) {}

  static register(monitor: LagMonitorService): DynamicModule {
    return {
      module: LagMonitorHttpModule,
      imports: [MetricsModule],
      controllers: [LagController, HealthController],
      providers: [{ provide: LagMonitorService, useValue: monitor }],
    };
  }

  onApplicationBootstrap(): void {
    this.monitor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.monitor.stop();
  }
}
