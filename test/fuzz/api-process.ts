import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stack, waitFor } from '@stylestream/test-support';
import { AppProcess, builtApp, fastKafkaEnv, freePort } from '../../bench/support/index-app-process';

/** A built app run as a child process on a free port, with its own temp dir (log, data). */
export interface ApiUnderTest {
  readonly app: AppProcess;
  readonly baseUrl: string;
  readonly workDir: string;
}

/**
 * Starts `node dist/apps/<app>/src/main.js` with the Kafka test environment
 * plus `env(port, workDir)`, and resolves once `readyPath` answers 2xx
 * (rejects with the log tail when the process exits or the deadline passes).
 */
export async function startApi(app: string, env: (port: number, workDir: string) => Record<string, string>, readyPath = '/docs-json'): Promise<ApiUnderTest> {
  const workDir = await fs.mkdtemp(join(tmpdir(), `api-${app}-`));
  const port = await freePort();
  const child = new AppProcess(app, builtApp(app), { ...fastKafkaEnv(stack.brokers, stack.registryUrl), LOG_LEVEL: 'warn', ...env(port, workDir) }, join(workDir, `${app}.log`));
  child.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!child.running) throw new Error(`${app} exited during start`);
      return (await fetch(`${baseUrl}${readyPath}`)).ok;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `${app} to answer ${readyPath}` },
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${child.tail()}`);
  });
  return { app: child, baseUrl, workDir };
}

/** Stops the apps (SIGTERM) and removes their temp dirs. */
export async function stopApis(apis: readonly ApiUnderTest[]): Promise<void> {
  await Promise.all(apis.map((api) => api.app.close()));
  await Promise.all(apis.map((api) => fs.rm(api.workDir, { recursive: true, force: true })));
}

/** Removes a catalogue's indices and template from the stack's Elasticsearch (best effort). */
export async function deleteCatalogIndices(alias: string): Promise<void> {
  await fetch(`${stack.elasticsearchUrl}/${alias}*?ignore_unavailable=true&allow_no_indices=true`, { method: 'DELETE' }).catch(() => undefined);
  await fetch(`${stack.elasticsearchUrl}/_index_template/${alias}-template`, { method: 'DELETE' }).catch(() => undefined);
}
