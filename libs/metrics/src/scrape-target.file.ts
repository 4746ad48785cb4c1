import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A Prometheus file_sd target file naming this process, so the local stack's
 * Prometheus (job `stylestream`, files `$STACK_DIR/conf/prometheus/targets/*.json`,
 * re-read every 5 s) scrapes it without a config change. Written atomically
 * (temp file + rename: Prometheus never reads half a file); removed on close.
 * `address` is `host:port`; `labels` become target labels (e.g. `{ app: 'dedupe' }`:
 * the app's identity belongs to the target, not to every exported series).
 */
export class ScrapeTargetFile {
  constructor(
    private readonly path: string,
    private readonly address: string,
    private readonly labels: Readonly<Record<string, string>>,
  ) {}

  write(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, `${JSON.stringify([{ targets: [this.address], labels: this.labels }], null, 2)}\n`);
    renameSync(temp, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
