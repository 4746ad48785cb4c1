import { ImageIngestService } from './image-ingest.service';
import { ImageValidationError } from './image-validation.error';
import { deriveImageId } from './image-id';
import { InMemoryImageArrivedPublisher } from '../../test/in-memory-image-arrived.publisher';

const NOW = Date.parse('2026-01-02T03:04:05Z');

function setup(maxBatch = 10) {
  const publisher = new InMemoryImageArrivedPublisher();
  const service = new ImageIngestService(publisher, { maxBatch }, () => NOW);
  return { publisher, service };
}

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImageValidationError) return [...err.issues];
    throw err;
  }
  throw new Error('expected an ImageValidationError');
}

describe('ImageIngestService', () => {
  it('builds a full image-arrived event with a deterministic id', async () => {
    const { publisher, service } = setup();
    const receipts = await service.submit({
      uri: 'https://cdn.example.com/p/1.jpg',
      source: 'social',
      bloggerId: 'b-42',
      publishedAt: '2025-12-31T23:00:00+01:00',
      title: 'Red dress',
      labels: { category: 'Dress', color: ['Red', 'red', ' navy '] },
      attributes: { brand: 'acme' },
    });
    const id = deriveImageId('social', 'https://cdn.example.com/p/1.jpg');
    expect(receipts).toEqual([{ imageId: id, topic: 'image-arrived', partition: 0, offset: '0' }]);
    expect(publisher.events[0]).toEqual({
      imageId: id,
      uri: 'https://cdn.example.com/p/1.jpg',
      source: 'social',
      bloggerId: 'b-42',
      publishedAt: Date.parse('2025-12-31T22:00:00Z'),
      crawledAt: NOW,
      labels: { category: ['dress'], fabric: [], texture: [], process: [], accessory: [], style: [], silhouette: [], collar: [], color: ['red', 'navy'] },
      title: 'Red dress',
      contentSha256: null,
      attributes: { brand: 'acme' },
    });
  });

  it('keeps a client-supplied imageId and defaults publishedAt to the ingest time', () => {
    const { service } = setup();
    const [event] = service.eventsFromBody({ imageId: 'shop-7:sku-1', uri: 'http://x.example/a.png', source: 'retail' });
    expect(event?.imageId).toBe('shop-7:sku-1');
    expect(event?.publishedAt).toBe(NOW);
  });

  it('reports every bad field of a batch item with its path', () => {
    const { service } = setup();
    const good = { uri: 'https://x.example/a.jpg', source: 'street' };
    const issues = issuesOf(() =>
      service.eventsFromBody({
        images: [good, good, good, { uri: 'not a url', source: 'tv', labels: { colour: 'red' }, contentSha256: 'abc', extra: 1 }],
      }),
    );
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(['images.3', 'images.3.contentSha256', 'images.3.labels', 'images.3.source', 'images.3.uri']);
    expect(issues.find((i) => i.path === 'images.3.source')?.message).toMatch(/social/);
    expect(issues.find((i) => i.path === 'images.3')?.message).toBe('unknown field(s): extra');
    expect(issues.find((i) => i.path === 'images.3.labels')?.message).toBe('unknown field(s): colour');
    expect(issues.find((i) => i.path === 'images.3.uri')?.message).toBe('must be an absolute http(s) or file URL');
  });

  it('rejects an empty batch, a batch over the limit, and a non-object body', () => {
    const { service } = setup(2);
    const img = { uri: 'https://x.example/a.jpg', source: 'street' };
    expect(issuesOf(() => service.eventsFromBody({ images: [] }))[0]?.path).toBe('images');
    expect(issuesOf(() => service.eventsFromBody({ images: [img, img, img] }))[0]?.message).toMatch(/at most 2 images/);
    expect(issuesOf(() => service.eventsFromBody([img]))[0]?.path).toBe('(root)');
    const missingSource = issuesOf(() => service.eventsFromBody({ uri: 'https://x.example/a.jpg' }));
    expect(missingSource.map((i) => i.path)).toEqual(['source']);
    expect(missingSource[0]?.message).toMatch(/expected one of/i);
  });

  it('rejects bad timestamps with a readable reason', () => {
    const { service } = setup();
    const issues = issuesOf(() => service.eventsFromBody({ uri: 'https://x.example/a.jpg', source: 'street', publishedAt: 'yesterday' }));
    expect(issues[0]?.path).toBe('publishedAt');
  });

  it('build() applies caller defaults: source, folder category, content hash, mtime', () => {
    const { service } = setup();
    const sha = 'A'.repeat(64);
    const outcome = service.build({ uri: 'file:///d/train/dress/a.jpg' }, { source: 'ecommerce', category: 'dress', contentSha256: sha, publishedAt: 123 });
    expect(outcome.ok && outcome.event).toMatchObject({ source: 'ecommerce', contentSha256: sha.toLowerCase(), publishedAt: 123, labels: { category: ['dress'] } });
    const explicit = service.build({ uri: 'file:///d/a.jpg', labels: { category: 'coat' } }, { source: 'ecommerce', category: 'dress' });
    expect(explicit.ok && explicit.event.labels.category).toEqual(['coat']);
  });

  it('takeDown publishes a tombstone and refuses an invalid id', async () => {
    const { publisher, service } = setup();
    await service.takeDown('img-0123');
    expect(publisher.records).toEqual([{ key: 'img-0123', value: null }]);
    await expect(service.takeDown('bad id with spaces')).rejects.toBeInstanceOf(ImageValidationError);
  });
});
