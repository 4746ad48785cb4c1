import { StyleStreamError } from '@stylestream/errors';

/**
 * An existing topic differs from its spec in a way provisioning must not
 * change on its own (cleanup policy, replication factor). Not retriable:
 * an operator decides (migrate to a new topic, or change the spec).
 */
export class TopicMismatchError extends StyleStreamError {
  readonly code = 'TOPIC_MISMATCH';
  constructor(readonly mismatches: readonly string[]) {
    super(`existing topics differ from their specs:\n  - ${mismatches.join('\n  - ')}`);
  }
}
