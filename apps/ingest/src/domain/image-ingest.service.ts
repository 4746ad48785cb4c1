import { IMAGE_ID_PATTERN, deriveImageId, normalizeImageUri } from './image-id';
import { emptyLabels, type ImageArrived, type ImageLabels, type ImageSource } from './image-arrived';
import type { ImageArrivedPublisher, PublishReceipt } from './image-arrived-publisher.port';
import { imageBatchSchema, imageSubmissionSchema, type ImageSubmission } from './image-submission.schema';
import { ImageValidationError, issuesFromZod, type ValidationIssue } from './image-validation.error';

/** Facts the caller knows about an image that the submission may leave out (CLI: file hash, mtime, folder label). */
export interface SubmissionDefaults {
  source?: ImageSource;
  /** Epoch ms used when the submission has no publishedAt; else the ingest time. */
  publishedAt?: number;
  contentSha256?: string;
  category?: string;
}

export type BuildOutcome = { ok: true; event: ImageArrived } | { ok: false; issues: ValidationIssue[] };

export interface IngestLimits {
  /** Most images in one HTTP batch. */
  maxBatch: number;
}

/**
 * The ingest use case: validates submissions, builds `image-arrived` events
 * with deterministic ids, and hands them to the publisher port. HTTP and CLI
 * both go through here; neither builds events itself.
 */
export class ImageIngestService {
  private readonly batchSchema: ReturnType<typeof imageBatchSchema>;

  constructor(
    private readonly publisher: ImageArrivedPublisher,
    limits: IngestLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.batchSchema = imageBatchSchema(limits.maxBatch);
  }

  /** HTTP: one image or `{ images: [...] }`; all-or-nothing, every bad field listed. */
  async submit(body: unknown): Promise<PublishReceipt[]> {
    return this.publisher.publish(this.eventsFromBody(body));
  }

  /** Publishes events already built by `build` (CLI chunks). */
  async publish(events: readonly ImageArrived[]): Promise<PublishReceipt[]> {
    return events.length === 0 ? [] : this.publisher.publish(events);
  }

  /** "Take this image down": a tombstone keyed by the id. */
  async takeDown(imageId: string): Promise<PublishReceipt> {
    if (!IMAGE_ID_PATTERN.test(imageId)) {
      throw new ImageValidationError([{ path: 'id', message: 'not a valid image id' }]);
    }
    return this.publisher.publishTombstone(imageId);
  }

  /** Decodes an HTTP body; throws ImageValidationError. */
  eventsFromBody(body: unknown): ImageArrived[] {
    const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'images' in body;
    if (isBatch) {
      const parsed = this.batchSchema.safeParse(body);
      if (!parsed.success) throw new ImageValidationError(issuesFromZod(parsed.error));
      return parsed.data.images.map((s) => this.toEvent(s, {}));
    }
    const outcome = this.build(body, {});
    if (!outcome.ok) throw new ImageValidationError(outcome.issues);
    return [outcome.event];
  }

  /** Validates one submission (a JSONL line, a walked file) into an event or its reasons. */
  build(raw: unknown, defaults: SubmissionDefaults): BuildOutcome {
    const parsed = imageSubmissionSchema({ defaultSource: defaults.source }).safeParse(raw);
    if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error) };
    return { ok: true, event: this.toEvent(parsed.data, defaults) };
  }

  private toEvent(s: ImageSubmission, defaults: SubmissionDefaults): ImageArrived {
    const uri = normalizeImageUri(s.uri);
    if (uri === undefined) throw new ImageValidationError([{ path: 'uri', message: 'must be an absolute http(s) or file URL' }]);
    const crawledAt = this.now();
    return {
      imageId: s.imageId ?? deriveImageId(s.source, uri),
      uri,
      source: s.source,
      bloggerId: s.bloggerId ?? null,
      publishedAt: toEpochMs(s.publishedAt) ?? defaults.publishedAt ?? crawledAt,
      crawledAt,
      labels: toLabels(s.labels, defaults.category),
      title: s.title ?? null,
      contentSha256: (s.contentSha256 ?? defaults.contentSha256)?.toLowerCase() ?? null,
      attributes: s.attributes ?? {},
    };
  }
}

function toEpochMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : Date.parse(value);
}

function toLabels(input: ImageSubmission['labels'], category: string | undefined): ImageLabels {
  const labels = emptyLabels();
  for (const dimension of Object.keys(labels) as (keyof ImageLabels)[]) {
    const value = input?.[dimension];
    const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
    labels[dimension] = [...new Set(values.map((v) => v.trim().toLowerCase()))];
  }
  if (labels.category.length === 0 && category !== undefined) labels.category = [category.toLowerCase()];
  return labels;
}
