import { StyleStreamError } from '@stylestream/errors';

/**
 * A step of the local stack failed; the message says what, in plain words
 * ("java not found", "port 9092 in use by pid 42 (java)"), and is printed as is.
 */
export class StackError extends StyleStreamError {
  readonly code = 'STACK';
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: false, cause });
  }
}
