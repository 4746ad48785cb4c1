import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { HttpShardOwnerClient, untilAborted } from './http-shard-owner.client';
import type { KnnRequest } from '../domain/shard-owner.port';

/** A fake owner: records each /v1/knn body and answers no hits. */
async function fakeOwner(name: string, bodies: string[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ owner: name, modelVersion: '1', shards: [], hits: [], tookMs: 0 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('HttpShardOwnerClient', () => {
  it('sends every owner the same request body, and each request its own', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const owners = [await fakeOwner('a', a), await fakeOwner('b', b)];
    const client = new HttpShardOwnerClient({ connectionsPerOwner: 2, keepAliveMs: 1_000 });
    try {
      const first: KnnRequest = { vector: [0.6, 0.8], k: 10, filterIds: ['x', 'y'] };
      const second: KnnRequest = { vector: [1, 0], k: 3 };
      const signal = new AbortController().signal;
      for (const request of [first, second]) await Promise.all(owners.map((o) => client.knn(o.url, request, signal)));
      expect(a.map((s) => JSON.parse(s) as unknown)).toEqual([first, second]);
      expect(b).toEqual(a);
    } finally {
      await client.close();
      for (const o of owners) o.server.close();
    }
  });

  it('fails a call at once when the owner resets the connection before answering (it never hangs)', async () => {
    // What a proxy in front of a dead owner does: accept, then close.
    const server = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new HttpShardOwnerClient({ connectionsPerOwner: 2, keepAliveMs: 1_000 });
    try {
      const started = Date.now();
      await expect(client.shards(url, AbortSignal.timeout(5_000))).rejects.toThrow(/shard owner http:\/\/127\.0\.0\.1:\d+: (?!aborted)/);
      await expect(client.knn(url, { vector: [1, 0], k: 1 }, AbortSignal.timeout(5_000))).rejects.toThrow(/shard owner/);
      expect(Date.now() - started).toBeLessThan(5_000); // failed on the reset, not at the deadline
    } finally {
      await client.close();
      server.close();
    }
  });

  it('untilAborted rejects at the abort even when the work never settles, and passes a result through otherwise', async () => {
    const never = new Promise<string>(() => undefined);
    const controller = new AbortController();
    const waiting = untilAborted(never, controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    await expect(untilAborted(Promise.resolve('ok'), new AbortController().signal)).resolves.toBe('ok');
    await expect(untilAborted(never, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
    await expect(untilAborted(Promise.reject(new Error('boom')), new AbortController().signal)).rejects.toThrow('boom');
  });
});
