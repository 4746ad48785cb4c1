import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A Prometheus file_sd target file naming this process (the local stack's
 * Prometheus re-reads `$STACK_DIR/conf/prometheus/targets/*.json`), written
 * atomically (temp file + rename) and removed on stop.
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
