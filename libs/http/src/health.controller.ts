import { Controller, Get, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

/**
 * One dependency an app needs before it should receive traffic (Kafka
 * connected, model loaded, shards loaded). `check` resolves with `ok: false`
 * and a reason, or rejects; either way the app reports not ready.
 */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<{ ok: boolean; reason?: string }>;
}

/** Injection token of the app's readiness probes (an array of ReadinessProbe). */
export const READINESS_PROBES = Symbol('READINESS_PROBES');

/** Longest a single probe may take before it counts as failed. */
const PROBE_TIMEOUT_MS = 2_000;

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  checks: { name: string; ok: boolean; reason?: string }[];
}

/** Runs every probe concurrently, each bounded by a timeout. */
export async function runReadinessProbes(probes: readonly ReadinessProbe[]): Promise<ReadinessReport> {
  const checks = await Promise.all(
    probes.map(async (probe) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ ok: boolean; reason: string }>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${PROBE_TIMEOUT_MS} ms` }), PROBE_TIMEOUT_MS);
      });
      try {
        const result = await Promise.race([probe.check(), timeout]);
        return { name: probe.name, ...result };
      } catch (err) {
        return { name: probe.name, ok: false, reason: err instanceof Error ? err.message : String(err) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { status: checks.every((c) => c.ok) ? 'ready' : 'not-ready', checks };
}

/**
 * Liveness (`/health`, `/healthz`): the process serves HTTP. Dependency
 * reachability is not part of it, so a broker outage does not get healthy
 * pods restarted. Readiness (`/ready`, `/readyz`): every probe the app
 * registered under READINESS_PROBES passes; 503 with the failing checks
 * otherwise, so a load balancer or Kubernetes stops routing to it.
 */
@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(@Optional() @Inject(READINESS_PROBES) private readonly probes: readonly ReadinessProbe[] = []) {}

  @Get(['health', 'healthz'])
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(['ready', 'readyz'])
  @ApiOkResponse({ description: 'every readiness probe passed' })
  @ApiServiceUnavailableResponse({ description: 'at least one probe failed; the body names it' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    const report = await runReadinessProbes(this.probes ?? []);
    if (report.status !== 'ready') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
