import type { BulkIngestSummary } from './bulk-ingest.run';

/** Rejections listed one by one before the grouped reasons, at most this many. */
const MAX_LISTED = 50;

/** The human-readable final summary of a bulk ingest run. */
export function formatSummary(summary: BulkIngestSummary): string {
  const took = summary.elapsedMs === undefined ? '' : ` in ${(summary.elapsedMs / 1000).toFixed(1)} s`;
  const lines = [`ingest: ${summary.sent} sent, ${summary.rejected} rejected${took}`];
  if (summary.rejections.length > 0) {
    lines.push('rejected:');
    for (const r of summary.rejections.slice(0, MAX_LISTED)) lines.push(`  ${r.where}: ${r.reason}`);
    if (summary.rejections.length > MAX_LISTED) lines.push(`  ... and ${summary.rejections.length - MAX_LISTED} more`);
    lines.push('reasons:');
    for (const g of summary.reasons) {
      const more = g.count > g.examples.length ? ', ...' : '';
      lines.push(`  ${g.count} x ${g.reason} (${g.examples.join(', ')}${more})`);
    }
  }
  if (summary.failure !== undefined) {
    lines.push(`FAILED: ${summary.failure}`);
    lines.push('Re-running is safe: image ids are deterministic, so already-sent images get the same keys.');
  }
  return `${lines.join('\n')}\n`;
}
