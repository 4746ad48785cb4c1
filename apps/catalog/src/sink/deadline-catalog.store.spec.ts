import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ElasticsearchCatalogStore, createElasticsearchClient, mergeImageArrived } from '@stylestream/catalog';
import { DependencyUnavailableError } from '@stylestream/errors';
import { sampleImageArrived } from '@stylestream/schemas';
import { DeadlineCatalogStore } from './deadline-catalog.store';

const write = (id: string) => ({ kind: 'merge' as const, id, merge: mergeImageArrived(id, sampleImageArrived({ imageId: id }), 1) });

describe('DeadlineCatalogStore', () => {
  it('passes an answer that comes in time', async () => {
    const store = new DeadlineCatalogStore({ apply: (w) => Promise.resolve(w.map(() => ({ status: 'applied' as const }))) }, 1_000);
    await expect(store.apply([write('a')])).resolves.toEqual([{ status: 'applied' }]);
  });

  // The Elasticsearch client (8.19, its bundled undici 6) never settles a request on such a
  // connection, its own 200 ms request timeout included: without the deadline this test hangs.
  describe('against a server that accepts each connection and closes it at once', () => {
    let server: Server;
    let node: string;

    beforeAll(async () => {
      server = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      node = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('fails the bulk with DependencyUnavailableError within its deadline, whatever the client does (the partition pauses and retries)', async () => {
      const es = createElasticsearchClient({ node, requestTimeoutMs: 200, maxRetries: 0 });
      const store = new DeadlineCatalogStore(new ElasticsearchCatalogStore(es, { images: 'images', shards: 'shards' }), 1_500);
      const started = Date.now();
      const outcome = await store.apply([write('a')]).then(
        () => 'answered',
        (err: unknown) => err,
      );
      expect(outcome).toBeInstanceOf(DependencyUnavailableError);
      expect((outcome as DependencyUnavailableError).retriable).toBe(true);
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });
});
