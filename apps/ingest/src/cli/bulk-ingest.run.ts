import { reasonOf } from '@stylestream/errors';
import type { ImageArrived } from '../domain/image-arrived';
import type { ImageIngestService, SubmissionDefaults } from '../domain/image-ingest.service';
import type { ValidationIssue } from '../domain/image-validation.error';

/** One input item of a bulk run: something to validate, or an item already known bad (e.g. unparsable line). */
export type IngestCandidate =
  | { where: string; raw: unknown; defaults: SubmissionDefaults }
  | { where: string; issues: ValidationIssue[] };

export interface Rejection {
  /** e.g. `line 7` or a file path. */
  where: string;
  reason: string;
}

export interface ReasonGroup {
  reason: string;
  count: number;
  /** The first few places it happened. */
  examples: string[];
}

/** What a bulk run did; `failure` is set when publishing stopped the run early. */
export interface BulkIngestSummary {
  sent: number;
  rejected: number;
  rejections: Rejection[];
  reasons: ReasonGroup[];
  failure?: string;
  /** Wall time of the run, set by the CLI. */
  elapsedMs?: number;
}

export interface BulkIngestOptions {
  service: ImageIngestService;
  /** Images per publish call. */
  chunkSize: number;
  /** Called after every candidate is settled (sent or rejected). */
  onProgress?: (settled: number) => void;
}

/**
 * Validates candidates one by one and publishes the valid ones in chunks.
 * A rejected item never stops the run; a publish failure does (the summary
 * says so, and re-running is safe because ids are deterministic).
 */
export async function runBulkIngest(candidates: AsyncIterable<IngestCandidate>, options: BulkIngestOptions): Promise<BulkIngestSummary> {
  const rejections: Rejection[] = [];
  let pending: ImageArrived[] = [];
  let sent = 0;
  let settled = 0;
  // One chunk in flight while the next is read and validated; a failure surfaces at the next flush.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    const chunk = pending;
    pending = [];
    await inFlight;
    inFlight = options.service.publish(chunk).then((receipts) => {
      sent += receipts.length;
      settled += chunk.length;
      options.onProgress?.(settled);
    });
    inFlight.catch(() => undefined); // observed by the next flush or the final await
  };

  try {
    for await (const candidate of candidates) {
      const outcome = 'issues' in candidate ? { ok: false as const, issues: candidate.issues } : options.service.build(candidate.raw, candidate.defaults);
      if (outcome.ok) {
        pending.push(outcome.event);
        if (pending.length >= options.chunkSize) await flush();
      } else {
        for (const issue of outcome.issues) rejections.push({ where: candidate.where, reason: formatIssue(issue) });
        settled += 1;
        options.onProgress?.(settled);
      }
    }
    await flush();
    await inFlight;
  } catch (err) {
    return summarize(sent, rejections, `publishing stopped after ${sent} images: ${reasonOf(err)}`);
  }
  return summarize(sent, rejections);
}

function formatIssue(issue: ValidationIssue): string {
  return issue.path === '(root)' ? issue.message : `${issue.path}: ${issue.message}`;
}

function summarize(sent: number, rejections: Rejection[], failure?: string): BulkIngestSummary {
  const groups = new Map<string, ReasonGroup>();
  const rejectedItems = new Set<string>();
  for (const r of rejections) {
    rejectedItems.add(r.where);
    const group = groups.get(r.reason) ?? { reason: r.reason, count: 0, examples: [] };
    group.count += 1;
    if (group.examples.length < 5) group.examples.push(r.where);
    groups.set(r.reason, group);
  }
  const reasons = [...groups.values()].sort((a, b) => b.count - a.count);
  return { sent, rejected: rejectedItems.size, rejections, reasons, ...(failure === undefined ? {} : { failure }) };
}
