import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isRetriable } from '@stylestream/errors';
import { ImageUnreachableError } from './image-fetch.errors';
import { UriImageFetcher } from './uri-image.fetcher';

const limits = { maxBytes: 1000, timeoutMs: 200, attempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 };
const errorOf = async (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (err: unknown) => err);

describe('UriImageFetcher', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/ok') return void res.end(Buffer.from('image-bytes'));
      if (path === '/missing') return void res.writeHead(404).end();
      if (path === '/forbidden') return void res.writeHead(403).end();
      if (path === '/broken') return void res.writeHead(500).end();
      if (path === '/flaky') return void (hits.get(path) === 1 ? res.writeHead(503).end() : res.end(Buffer.from('second time')));
      if (path === '/slow') return void setTimeout(() => res.end(Buffer.from('late')), 1000).unref();
      if (path === '/big-declared') return void res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
      if (path === '/big-chunked') {
        res.writeHead(200);
        for (let i = 0; i < 5; i++) res.write(Buffer.alloc(400));
        return void res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await fs.mkdtemp(join(tmpdir(), 'storage-spec-'));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => hits.clear());

  const fetcher = new UriImageFetcher(limits);

  it('reads http bodies and local files', async () => {
    expect((await fetcher.fetch(`${base}/ok`)).toString()).toBe('image-bytes');
    const file = join(dir, 'a b.jpg');
    await fs.writeFile(file, 'local');
    expect((await fetcher.fetch(pathToFileURL(file).href)).toString()).toBe('local');
  });

  it('does not retry 404, other 4xx, bad schemes, missing, empty or oversize files', async () => {
    expect(await errorOf(fetcher.fetch(`${base}/missing`))).toMatchObject({ code: 'IMAGE_NOT_FOUND', retriable: false });
    expect(hits.get('/missing')).toBe(1);
    expect(await errorOf(fetcher.fetch(`${base}/forbidden`))).toMatchObject({ code: 'IMAGE_FETCH_REJECTED', retriable: false });
    expect(await errorOf(fetcher.fetch('s3://bucket/key.jpg'))).toMatchObject({ code: 'UNSUPPORTED_SCHEME' });
    expect(await errorOf(fetcher.fetch('not a uri'))).toMatchObject({ code: 'IMAGE_URI_INVALID' });
    expect(await errorOf(fetcher.fetch(pathToFileURL(join(dir, 'nope.jpg')).href))).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    const empty = join(dir, 'empty.jpg');
    await fs.writeFile(empty, '');
    expect(await errorOf(fetcher.fetch(pathToFileURL(empty).href))).toMatchObject({ code: 'IMAGE_EMPTY' });
    const big = join(dir, 'big.jpg');
    await fs.writeFile(big, Buffer.alloc(1001));
    expect(await errorOf(fetcher.fetch(pathToFileURL(big).href))).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('refuses oversize bodies, declared or streamed', async () => {
    expect(await errorOf(fetcher.fetch(`${base}/big-declared`))).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    expect(await errorOf(fetcher.fetch(`${base}/big-chunked`))).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('retries 5xx and timeouts a bounded number of times, then fails retriable', async () => {
    const broken = await errorOf(fetcher.fetch(`${base}/broken`));
    expect(broken).toBeInstanceOf(ImageUnreachableError);
    expect(isRetriable(broken)).toBe(true);
    expect(hits.get('/broken')).toBe(3);
    expect((await fetcher.fetch(`${base}/flaky`)).toString()).toBe('second time');
    expect(hits.get('/flaky')).toBe(2);
    const started = Date.now();
    const slow = await errorOf(new UriImageFetcher({ ...limits, attempts: 2 }).fetch(`${base}/slow`));
    expect(slow).toMatchObject({ code: 'IMAGE_UNREACHABLE', retriable: true });
    expect((slow as Error).message).toContain('timed out after 200 ms');
    expect(hits.get('/slow')).toBe(2);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
