import { InvalidInputError } from '@stylestream/errors';
import type { z } from 'zod';

/** One field-level reason, e.g. `{ path: 'images.3.source', message: 'Invalid option: ...' }`. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A submission that can never be accepted as sent; lists every bad field. */
export class ImageValidationError extends InvalidInputError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`validation failed: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, 'VALIDATION_FAILED');
  }
}

export function issuesFromZod(error: z.ZodError, prefix: readonly (string | number)[] = []): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? p.toString() : p))].join('.');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const message = keys.length > 0 ? `unknown field(s): ${keys.join(', ')}` : issue.message;
    return { path: path === '' ? '(root)' : path, message };
  });
}
