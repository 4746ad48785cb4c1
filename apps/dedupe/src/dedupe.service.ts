import type { Logger } from 'pino';
import { InvalidInputError } from '@stylestream/errors';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type BatchCallContext, type ConsumedMessage, type HandlerOutcome, Outcome } from '@stylestream/kafka';
import { bytesToVector, parsePerceptualHash, type VectorCleaned, type VectorExtracted } from '@stylestream/schemas';
import { type DedupeDecision, type DedupeThresholds, classify } from './dedupe.classifier';
import type { ChangelogRecord, CleanedPublisher, CleanedRecord, StateChange, StateChangelogWriter } from './dedupe.ports';
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
  /** Longest stretch of classification without giving the event loop back (default 25 ms). */
  readonly sliceMs?: number;
}

export const DEFAULT_CLASSIFY_SLICE_MS = 25;

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** More crop hashes than this per image is bad input (the extractor publishes 4; fine hashes: one more, the full frame). */
export const MAX_CROP_HASHES = 16;

/**
 * The dedupe use case, for a batch of vector-extracted records of ONE
 * partition in offset order (handle() is a batch of one):
 *
 * 1. CLASSIFIED + STATE_APPLIED, record by record in offset order: each
 *    record is classified against the global state and its change applied in
 *    the same synchronous step, so a later record of the batch sees an earlier
 *    one exactly as if they had been handled one at a time. After every
 *    `sliceMs` of such steps the pass awaits the call's heartbeat and the next
 *    event-loop turn (group membership stays alive on a starved CPU; other
 *    partitions' calls may then take steps of their own between two records,
 *    an interleaving the one-at-a-time path also produces);
 * 2. STATE_LOGGED: the batch's changes appended to the changelog in that
 *    order, all acknowledged;
 * 3. PUBLISHED: the batch's outputs sent to vector-cleaned in that order, all
 *    acknowledged;
 * 4. the consumer may commit the offsets.
 *
 * A crash or a failed write anywhere before the commit re-delivers the
 * records, and the restored (or still held) state makes the second
 * classification return the same decisions (rule 1 of classify). Changelog
 * before output, for the whole batch: an output never exists whose decision
 * the state does not know.
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

  /** One record: the same path as a batch of one. */
  async handle(message: ConsumedMessage<VectorExtracted>, call?: BatchCallContext): Promise<HandlerOutcome> {
    const [outcome] = await this.handleBatch([message], call);
    return outcome ?? Outcome.failed(new Error('no outcome for the message'));
  }

  /**
   * Records of one partition, in offset order; resolves with one outcome per
   * record, same order. Throws (every record of the call fails with it) when
   * the changelog or the output cannot be written.
   */
  async handleBatch(messages: readonly ConsumedMessage<VectorExtracted>[], call?: BatchCallContext): Promise<HandlerOutcome[]> {
    const outcomes: HandlerOutcome[] = [];
    const changes: StateChange[] = [];
    const outputs: CleanedRecord[] = [];
    const sliceMs = this.deps.sliceMs ?? DEFAULT_CLASSIFY_SLICE_MS;
    let sliceStart = performance.now();
    try {
      // Classify, then apply to the state, record by record; give the loop back between records every sliceMs.
      for (const message of messages) {
        if (performance.now() - sliceStart >= sliceMs) {
          await call?.heartbeat();
          await nextTurn();
          sliceStart = performance.now();
        }
        const step = this.decide(message);
        outcomes.push(step.outcome);
        if (step.change === undefined) continue;
        const { imageId, entry } = step.change;
        this.pendingWrites.set(imageId, (this.pendingWrites.get(imageId) ?? 0) + 1);
        changes.push(step.change);
        outputs.push(step.output);
        if (entry === null) this.deps.state.remove(imageId);
        else this.deps.state.put(entry);
      }
      if (changes.length === 0) return outcomes;
      const offsets = await this.deps.changelog.write(changes);
      changes.forEach((change, i) => {
        const offset = BigInt(offsets[i] ?? '-1');
        const last = this.lastOffset.get(change.imageId);
        if (last === undefined || offset > last) this.lastOffset.set(change.imageId, offset);
      });
    } finally {
      for (const { imageId } of changes) {
        const n = (this.pendingWrites.get(imageId) ?? 1) - 1;
        if (n <= 0) this.pendingWrites.delete(imageId);
        else this.pendingWrites.set(imageId, n);
      }
    }
    await this.deps.output.publish(outputs);
    return outcomes;
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

  /** The decision for one record against the current state (pure: the caller applies the change). */
  private decide(message: ConsumedMessage<VectorExtracted>): Step {
    const imageId = message.key ?? (message.tombstone ? null : message.value.imageId);
    if (imageId === null) return { outcome: Outcome.skipped('tombstone without key') };
    if (message.tombstone) {
      return { outcome: Outcome.processed(), change: { imageId, entry: null }, output: { imageId, value: null } };
    }
    const value = message.value;
    if (this.deps.otherModels === 'skip' && !this.deps.input.models.has(value.modelVersion)) {
      return { outcome: Outcome.skipped(`model version ${value.modelVersion} is deduplicated by another instance`) };
    }
    let vector: Float32Array;
    try {
      vector = validate(imageId, value, this.deps.input);
    } catch (err) {
      return { outcome: Outcome.failed(err) };
    }
    const decision = classify(this.deps.state, { ...value, vector }, this.deps.thresholds);
    const unique = decision.status === 'UNIQUE';
    const entry: DedupeEntry = {
      imageId,
      contentSha256: value.contentSha256,
      perceptualHash: value.perceptualHash,
      cropHashes: unique ? (value.cropHashes ?? []) : [],
      fineHashes: unique ? (value.fineHashes ?? []) : [],
      modelVersion: value.modelVersion,
      vector: unique ? vector : null,
      status: decision.status,
      duplicateOf: decision.duplicateOf,
      similarity: decision.similarity,
    };
    this.deps.logger.debug({ imageId, status: decision.status, duplicateOf: decision.duplicateOf, repeated: decision.repeated }, 'classified');
    return { outcome: Outcome.processed(), change: { imageId, entry }, output: { imageId, value: toCleaned(value, decision, this.clock()) } };
  }
}

/** What one record leads to: its outcome and, when processed, the state change and the output. */
type Step = { readonly outcome: HandlerOutcome; readonly change?: undefined } | { readonly outcome: HandlerOutcome; readonly change: StateChange; readonly output: CleanedRecord };

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
