import { StyleStreamError } from '@stylestream/errors';

/** A shard owner answered 4xx: the request is wrong for it (unknown model version 404, bad body 400). Not retriable. */
export class OwnerRejectedError extends StyleStreamError {
  readonly code = 'OWNER_REJECTED';
  constructor(
    readonly owner: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${owner}: HTTP ${status}: ${reason}`);
  }
}
