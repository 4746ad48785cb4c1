import { Writable } from 'node:stream';

/** A writable that keeps what was written, for asserting on CLI output. */
export class CapturedOutput extends Writable {
  private chunks: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    done();
  }

  get text(): string {
    return this.chunks.join('');
  }
}
