/** What /readyz reports: each condition the extractor needs before it can take traffic. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: { readonly modelLoaded: boolean; readonly kafkaConnected: boolean; readonly stopping: boolean };
}

/**
 * The extractor's readiness, set by the runtime as it boots and stops: ready
 * once the model is loaded and the producer and stage consumer are connected,
 * not ready again as soon as a stop begins (so a load balancer or Prometheus
 * job sees it leave before it disconnects).
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

  report(): ReadinessReport {
    const checks = { modelLoaded: this.modelLoaded, kafkaConnected: this.kafkaConnected, stopping: this.stopping };
    return { ready: checks.modelLoaded && checks.kafkaConnected && !checks.stopping, checks };
  }
}
