import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { HealthController } from '@stylestream/http';
import { MetricsModule } from '@stylestream/metrics';
import { ImageIngestService } from '../domain/image-ingest.service';
import { IMAGE_ARRIVED_PUBLISHER, type ImageArrivedPublisher } from '../domain/image-arrived-publisher.port';
import { ApiKeyGuard, INGEST_API_KEYS } from './api-key.guard';
import { ImagesController } from './images.controller';

export interface IngestHttpModuleOptions {
  apiKeys: readonly string[];
  maxBatch: number;
  /** The adapter behind the port: Kafka in main.ts, a fake in unit tests. Closed on shutdown. */
  publisher: ImageArrivedPublisher;
}

/** The ingest HTTP surface: /v1/images, /health, /metrics. */
@Module({})
export class IngestHttpModule implements OnApplicationShutdown {
  constructor(@Inject(IMAGE_ARRIVED_PUBLISHER) private readonly publisher: ImageArrivedPublisher) {}

  static register(options: IngestHttpModuleOptions): DynamicModule {
    return {
      module: IngestHttpModule,
      imports: [MetricsModule],
      controllers: [ImagesController, HealthController],
      providers: [
        { provide: IMAGE_ARRIVED_PUBLISHER, useValue: options.publisher },
        { provide: INGEST_API_KEYS, useValue: options.apiKeys },
        {
          provide: ImageIngestService,
          inject: [IMAGE_ARRIVED_PUBLISHER],
          useFactory: (publisher: ImageArrivedPublisher) => new ImageIngestService(publisher, { maxBatch: options.maxBatch }),
        },
        ApiKeyGuard,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}
