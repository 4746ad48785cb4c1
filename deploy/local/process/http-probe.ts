import { healthy, ProbeResult, unhealthy } from './health-wait';

/** GET `url` within `timeoutMs`; healthy on a 2xx whose response passes `check` (returns a reason when not). */
export async function probeHttp(
  url: string,
  check: (response: Response, body: string) => string | undefined = () => undefined,
  timeoutMs = 2000,
): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (!response.ok) return unhealthy(`GET ${url} answered ${response.status}`);
    const problem = check(response, body);
    return problem === undefined ? healthy() : unhealthy(problem);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return unhealthy(`GET ${url} failed (${err instanceof Error ? err.message : String(err)}${cause})`);
  }
}
