import { createServer, type AddressInfo, type Server } from 'node:net';
import { createElasticsearchClient } from './elasticsearch-client';

describe('createElasticsearchClient', () => {
  let server: Server;
  let node: string;
  beforeAll(async () => {
    // Accepts, then closes before answering: a proxy in front of a stopped Elasticsearch.
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    node = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails a request at once when the server closes the connection before answering (it never hangs)', async () => {
    const es = createElasticsearchClient({ node, requestTimeoutMs: 5_000, maxRetries: 0 });
    const started = Date.now();
    try {
      await expect(es.search({ index: 'catalog', query: { match_all: {} } })).rejects.toMatchObject({ name: 'ConnectionError' });
      expect(Date.now() - started).toBeLessThan(5_000); // on the reset, not at the timeout
    } finally {
      await es.close();
    }
  });
});
