import type { ImageArrived } from '../src/domain/image-arrived';
import type { ImageArrivedPublisher, PublishReceipt } from '../src/domain/image-arrived-publisher.port';

/** Test adapter of the publisher port: records what was published on one partition; `failWith` makes the next calls reject. */
export class InMemoryImageArrivedPublisher implements ImageArrivedPublisher {
  readonly records: { key: string; value: ImageArrived | null }[] = [];
  failWith: Error | undefined;
  closed = false;

  constructor(readonly topic = 'image-arrived') {}

  async publish(events: readonly ImageArrived[]): Promise<PublishReceipt[]> {
    return Promise.all(events.map((e) => this.append(e.imageId, e)));
  }

  async publishTombstone(imageId: string): Promise<PublishReceipt> {
    return this.append(imageId, null);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  get events(): ImageArrived[] {
    return this.records.flatMap((r) => (r.value === null ? [] : [r.value]));
  }

  private async append(key: string, value: ImageArrived | null): Promise<PublishReceipt> {
    await Promise.resolve();
    if (this.failWith !== undefined) throw this.failWith;
    this.records.push({ key, value });
    return { imageId: key, topic: this.topic, partition: 0, offset: String(this.records.length - 1) };
  }
}
