import { DependencyUnavailableError } from '@stylestream/errors';
import { InMemoryImageArrivedPublisher } from '../../test/in-memory-image-arrived.publisher';
import type { ImageArrived } from '../domain/image-arrived';
import type { PublishReceipt } from '../domain/image-arrived-publisher.port';
import { ImageIngestService } from '../domain/image-ingest.service';
import { runBulkIngest, type IngestCandidate } from './bulk-ingest.run';

async function* candidates(count: number, bad: readonly number[] = []): AsyncGenerator<IngestCandidate> {
  for (let i = 1; i <= count; i++) {
    await Promise.resolve(); // arrive asynchronously, like file reads
    const uri = bad.includes(i) ? 'nope' : `https://x.example/${i}.jpg`;
    yield { where: `line ${i}`, raw: { uri }, defaults: { source: 'street' } };
  }
}

/** Fails its n-th publish call. */
class FailingOnCallPublisher extends InMemoryImageArrivedPublisher {
  private calls = 0;
  constructor(private readonly failingCall: number) {
    super();
  }
  override async publish(events: readonly ImageArrived[]): Promise<PublishReceipt[]> {
    this.calls += 1;
    if (this.calls === this.failingCall) throw new DependencyUnavailableError('kafka', 'leader not available');
    return super.publish(events);
  }
}

describe('runBulkIngest', () => {
  it('publishes valid items in chunks, in order, and groups rejection reasons', async () => {
    const publisher = new InMemoryImageArrivedPublisher();
    const progress: number[] = [];
    const summary = await runBulkIngest(candidates(7, [2, 5]), {
      service: new ImageIngestService(publisher, { maxBatch: 3 }),
      chunkSize: 2,
      onProgress: (n) => progress.push(n),
    });
    expect(summary).toMatchObject({ sent: 5, rejected: 2 });
    expect(summary.reasons).toEqual([{ reason: 'uri: must be an absolute http(s) or file URL', count: 2, examples: ['line 2', 'line 5'] }]);
    expect(publisher.events.map((e) => e.uri)).toEqual([1, 3, 4, 6, 7].map((i) => `https://x.example/${i}.jpg`));
    expect(progress.at(-1)).toBe(7);
  });

  it('stops at the first publish failure and reports what was sent before it', async () => {
    const publisher = new FailingOnCallPublisher(2);
    const summary = await runBulkIngest(candidates(10), { service: new ImageIngestService(publisher, { maxBatch: 3 }), chunkSize: 3 });
    expect(summary.sent).toBe(3);
    expect(summary.failure).toBe('publishing stopped after 3 images: kafka: leader not available');
  });
});
