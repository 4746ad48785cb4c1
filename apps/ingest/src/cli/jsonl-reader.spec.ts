import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertReadableFile, countJsonlLines, parseJsonlLine, readJsonl } from './jsonl-reader';

describe('JSONL reading', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-jsonl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('yields parsed lines and parse errors with 1-based line numbers, skipping blank lines', async () => {
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, '{"uri":"https://x.example/1.jpg"}\n\n{"uri": oops}\r\n  \n[1]\n');
    const lines = [];
    for await (const line of readJsonl(file)) lines.push(line);
    expect(lines).toEqual([
      { lineNumber: 1, value: { uri: 'https://x.example/1.jpg' } },
      { lineNumber: 3, error: expect.stringMatching(/^invalid JSON: /) as unknown as string },
      { lineNumber: 5, value: [1] },
    ]);
    expect(await countJsonlLines(file)).toBe(3);
  });

  it('parseJsonlLine explains the syntax error', () => {
    const line = parseJsonlLine('{"a":', 9);
    expect(line).toMatchObject({ lineNumber: 9 });
    expect('error' in line && line.error).toMatch(/invalid JSON/);
  });

  it('assertReadableFile names a missing file and refuses a folder', async () => {
    await expect(assertReadableFile(join(dir, 'none.jsonl'))).rejects.toThrow(`file not found: ${join(dir, 'none.jsonl')}`);
    await expect(assertReadableFile(dir)).rejects.toThrow(/not a file/);
  });
});
