import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidInputError } from '@stylestream/errors';

/** One non-blank line of a JSONL file: its parsed value, or why it could not be parsed. */
export type JsonlLine = { lineNumber: number; value: unknown } | { lineNumber: number; error: string };

/** Throws InvalidInputError when `file` is missing or not a regular file. */
export async function assertReadableFile(file: string): Promise<string> {
  const absolute = resolve(file);
  const info = await stat(absolute).catch((err: unknown) => {
    throw new InvalidInputError(`file not found: ${absolute}`, 'INPUT_NOT_FOUND', err);
  });
  if (!info.isFile()) throw new InvalidInputError(`not a file: ${absolute}`, 'INPUT_NOT_FOUND');
  return absolute;
}

/** Parses one line; line numbers are 1-based as editors show them. */
export function parseJsonlLine(text: string, lineNumber: number): JsonlLine {
  try {
    return { lineNumber, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { lineNumber, error: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Streams the non-blank lines of a JSONL file; a bad line never stops the stream. */
export async function* readJsonl(file: string): AsyncGenerator<JsonlLine> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    yield parseJsonlLine(text, lineNumber);
  }
}

/** Counts non-blank lines without parsing them (for the progress bar total). */
export async function countJsonlLines(file: string): Promise<number> {
  let count = 0;
  for await (const text of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (text.trim() !== '') count += 1;
  }
  return count;
}
