import { parse } from 'yaml';

/** An alert as GET /api/v1/alerts lists it (only pending and firing ones are listed). */
export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
}

/** One series of an instant query result. */
export interface PrometheusSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** What a test needs to know of the running Prometheus's configuration. */
export interface PrometheusLayout {
  /** The rule file globs, in order (the stack's: repo alerts, then the test rules folder). */
  readonly ruleFiles: readonly string[];
  /** file_sd globs of a scrape job. */
  fileSdFiles(job: string): readonly string[];
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

/**
 * The few calls of the Prometheus HTTP API the alerting tests use. Every call
 * rejects with the status and body when Prometheus answers anything but success.
 */
export class PrometheusTestClient {
  constructor(readonly url: string) {}

  async layout(): Promise<PrometheusLayout> {
    const { yaml } = await this.api<{ yaml: string }>('/api/v1/status/config');
    const config = parse(yaml) as { rule_files?: string[]; scrape_configs?: { job_name: string; file_sd_configs?: { files?: string[] }[] }[] };
    return {
      ruleFiles: config.rule_files ?? [],
      fileSdFiles: (job) => (config.scrape_configs ?? []).filter((s) => s.job_name === job).flatMap((s) => (s.file_sd_configs ?? []).flatMap((sd) => sd.files ?? [])),
    };
  }

  /** POST /-/reload (needs --web.enable-lifecycle): re-reads the configuration and every rule file. */
  async reload(): Promise<void> {
    const res = await fetch(`${this.url}/-/reload`, { method: 'POST' });
    if (!res.ok) throw new Error(`POST /-/reload: HTTP ${res.status} ${await res.text()}`);
  }

  async ruleGroupNames(): Promise<string[]> {
    const data = await this.api<{ groups: { name: string }[] }>('/api/v1/rules');
    return data.groups.map((g) => g.name);
  }

  async alerts(): Promise<PrometheusAlert[]> {
    return (await this.api<{ alerts: PrometheusAlert[] }>('/api/v1/alerts')).alerts;
  }

  async query(expr: string): Promise<PrometheusSample[]> {
    const data = await this.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  private async api<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`);
    const body = (await res.json()) as ApiAnswer<T>;
    if (!res.ok || body.status !== 'success') throw new Error(`GET ${path}: HTTP ${res.status} ${body.error ?? ''}`);
    return body.data;
  }
}
