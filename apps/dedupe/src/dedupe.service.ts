import type { Logger } from 'pino';
import { InvalidInputError } from '@stylestream/errors';
import { type ConsumedMessage, type HandlerOutcome, Outcome } from '@stylestream/kafka';
import { bytesToVector, parsePerceptualHash, type VectorCleaned, type VectorExtracted } from '@stylestream/schemas';
import { type DedupeDecision, type DedupeThresholds, classify } from './dedupe.classifier';
import type { ChangelogRecord, CleanedPublisher, StateChangelogWriter } from './dedupe.ports';
import { DedupeState, type DedupeEntry } from './dedupe-state';
import { parseFineHash } from './fine-hash';
import { VECTOR_DIM_MISMATCH, type VectorInputPolicy, checkVectorInput } from './vector-input.policy';

export interface DedupeServiceDeps {
  readonly state: DedupeState;
  readonly changelog: StateChangelogWriter;
  readonly output: CleanedPublisher;
  readonly thresholds: DedupeThresholds;
  /** Known model versions and the normalisation tolerance; failing records are dead-lettered. */
  readonly input: VectorInputPolicy;
  /** What happens to a record whose model version is not in `input.models` (default: dead-lettered as MODEL_VERSION_UNKNOWN). */
  readonly otherModels?: 'dead-letter' | 'skip';
  readonly logger: Logger;
  readonly clock?: () => number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** More crop hashes than this per image is bad input (the extractor publishes 4; fine hashes: one more, the full frame). */
export const MAX_CROP_HASHES = 16;

/**
 * The dedupe use case. For each vector-extracted record, in order:
 * CLASSIFIED (against the global state, synchronously) → STATE_APPLIED (the
 * in-memory state, same tick, so concurrent partitions of this process see
 * it) → STATE_LOGGED (changelog record acknowledged) → PUBLISHED
 * (vector-cleaned acknowledged) → the consumer may commit the offset. A crash
 * anywhere before the commit re-delivers the record, and the restored state
 * makes the second classification return the same decision.
 *
 * Changelog records read back (restore and tail) are applied with
 * applyChangelog(): skipped for an id this process is writing right now
 * (its own write is newer), or at an offset not above the last one applied
 * or written for that id.
 */
export class DedupeService {
  private readonly pendingWrites = new Map<string, number>();
  private readonly lastOffset = new Map<string, bigint>();
  private readonly clock: () => number;

  constructor(private readonly deps: DedupeServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  get state(): DedupeState {
    return this.deps.state;
  }

  async handle(message: ConsumedMessage<VectorExtracted>): Promise<HandlerOutcome> {
    const imageId = message.key ?? (message.tombstone ? null : message.value.imageId);
    if (imageId === null) return Outcome.skipped('tombstone without key');
    if (message.tombstone) {
      await this.logged(imageId, null);
      await this.deps.output.publish(imageId, null);
      return Outcome.processed();
    }
    const value = message.value;
    if (this.deps.otherModels === 'skip' && !this.deps.input.models.has(value.modelVersion)) {
      return Outcome.skipped(`model version ${value.modelVersion} is deduplicated by another instance`);
    }
    let vector: Float32Array;
    try {
      vector = validate(imageId, value, this.deps.input);
    } catch (err) {
      return Outcome.failed(err);
    }
    const decision = classify(this.deps.state, { ...value, vector }, this.deps.thresholds);
    const entry: DedupeEntry = {
      imageId,
      contentSha256: value.contentSha256,
      perceptualHash: value.perceptualHash,
      cropHashes: decision.status === 'UNIQUE' ? (value.cropHashes ?? []) : [],
      fineHashes: decision.status === 'UNIQUE' ? (value.fineHashes ?? []) : [],
      modelVersion: value.modelVersion,
      vector: decision.status === 'UNIQUE' ? vector : null,
      status: decision.status,
      duplicateOf: decision.duplicateOf,
      similarity: decision.similarity,
    };
    await this.logged(imageId, entry);
    await this.deps.output.publish(imageId, toCleaned(value, decision, this.clock()));
    this.deps.logger.debug({ imageId, status: decision.status, duplicateOf: decision.duplicateOf, repeated: decision.repeated }, 'classified');
    return Outcome.processed();
  }

  /** Applies one changelog record read back from the topic (restore or tail). */
  applyChangelog(record: ChangelogRecord): void {
    if ((this.pendingWrites.get(record.imageId) ?? 0) > 0) return;
    const offset = BigInt(record.offset);
    const last = this.lastOffset.get(record.imageId);
    if (last !== undefined && last >= offset) return;
    this.lastOffset.set(record.imageId, offset);
    if (record.entry === null) this.deps.state.remove(record.imageId);
    else this.deps.state.put(record.entry);
  }

  /** Applies the change to the state now (synchronously), then writes it to the changelog. */
  private async logged(imageId: string, entry: DedupeEntry | null): Promise<void> {
    this.pendingWrites.set(imageId, (this.pendingWrites.get(imageId) ?? 0) + 1);
    try {
      if (entry === null) this.deps.state.remove(imageId);
      else this.deps.state.put(entry);
      const offset = BigInt(await this.deps.changelog.write(imageId, entry));
      const last = this.lastOffset.get(imageId);
      if (last === undefined || offset > last) this.lastOffset.set(imageId, offset);
    } finally {
      const n = (this.pendingWrites.get(imageId) ?? 1) - 1;
      if (n <= 0) this.pendingWrites.delete(imageId);
      else this.pendingWrites.set(imageId, n);
    }
  }
}

/** Bad input (never retriable, so dead-lettered): returns the decoded vector. */
function validate(key: string, value: VectorExtracted, policy: VectorInputPolicy): Float32Array {
  if (value.imageId !== key) throw new InvalidInputError(`record key "${key}" differs from imageId "${value.imageId}"`, 'KEY_MISMATCH');
  if (!SHA256_HEX.test(value.contentSha256)) throw new InvalidInputError('contentSha256 must be 64 lower-case hex digits', 'SHA256_INVALID');
  parsePerceptualHash(value.perceptualHash);
  const crops = value.cropHashes ?? [];
  if (crops.length > MAX_CROP_HASHES) throw new InvalidInputError(`cropHashes holds ${crops.length} hashes, at most ${MAX_CROP_HASHES} allowed`, 'PHASH_INVALID');
  crops.forEach((h) => parsePerceptualHash(h));
  const fine = value.fineHashes ?? [];
  if (fine.length > MAX_CROP_HASHES + 1) throw new InvalidInputError(`fineHashes holds ${fine.length} hashes, at most ${MAX_CROP_HASHES + 1} allowed`, 'PHASH_INVALID');
  fine.forEach((h) => parseFineHash(h));
  if (value.vector.length !== value.dim * 4) {
    throw new InvalidInputError(`vector holds ${value.vector.length} bytes, dim ${value.dim} needs ${value.dim * 4}`, VECTOR_DIM_MISMATCH);
  }
  const vector = bytesToVector(value.vector);
  checkVectorInput(policy, value.modelVersion, value.dim, vector);
  return vector;
}

function toCleaned(value: VectorExtracted, decision: DedupeDecision, cleanedAt: number): VectorCleaned {
  return { ...value, status: decision.status, duplicateOf: decision.duplicateOf, similarity: decision.similarity, cleanedAt };
}
