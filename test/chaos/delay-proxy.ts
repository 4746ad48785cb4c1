import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that forwards to `target` and, while `delayMs` is
 * above 0, holds every chunk in both directions that long: a slow shard owner
 * on the search path, with the owner itself healthy.
 */
export class DelayProxy {
  delayMs = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const pipe = (from: Socket, to: Socket): void => {
        from.on('data', (chunk: Buffer) => {
          const send = (): void => {
            if (!to.destroyed) to.write(chunk);
          };
          if (this.delayMs > 0) setTimeout(send, this.delayMs);
          else send();
        });
        from.on('end', () => setTimeout(() => to.end(), this.delayMs));
      };
      pipe(client, upstream);
      pipe(upstream, client);
    });
  }

  /** Listens on a free port; resolves with it. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('delay proxy: no port'));
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
