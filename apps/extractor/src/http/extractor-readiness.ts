import { READY, type Readiness } from '@stylestream/metrics';

/**
 * The extractor's readiness (GET /readyz on the ops server), set by the runtime as
 * it boots and stops: ready once the model is loaded and the producer and stage
 * consumer are connected; not ready again as soon as a stop begins, so a load
 * balancer or Prometheus sees it leave before it disconnects.
 */
export class ExtractorReadiness {
  private modelLoaded = false;
  private kafkaConnected = false;
  private stopping = false;

  markModelLoaded(): void {
    this.modelLoaded = true;
  }

  markKafkaConnected(connected: boolean): void {
    this.kafkaConnected = connected;
  }

  markStopping(): void {
    this.stopping = true;
  }

  check(): Readiness {
    if (this.stopping) return { ready: false, reason: 'stopping' };
    if (!this.modelLoaded) return { ready: false, reason: 'loading the model' };
    if (!this.kafkaConnected) return { ready: false, reason: 'connecting to Kafka (producer and stage consumer)' };
    return READY;
  }
}
