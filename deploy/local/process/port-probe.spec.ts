import { createServer, Server } from 'node:net';
import { describePortInUse, findPortOwners, isPortFree, listeningInodes } from './port-probe';

const table = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:2384 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0',
  '   1: 0100007F:2384 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1',
  '   2: 00000000:2385 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0',
].join('\n');

describe('listeningInodes', () => {
  it('finds LISTEN sockets of the port only (0x2384 = 9092)', () => {
    expect(listeningInodes(table, 9092)).toEqual(['111']);
    expect(listeningInodes(table, 9093)).toEqual(['333']);
    expect(listeningInodes(table, 9094)).toEqual([]);
  });
});

describe('ports on this machine', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sees a taken port as taken, and by whom', async () => {
    expect(await isPortFree(port)).toBe(false);
    const owners = findPortOwners(port);
    expect(owners.map((o) => o.pid)).toContain(process.pid);
    expect(describePortInUse(port, owners)).toMatch(new RegExp(`^port ${port} in use by pid ${process.pid} \\(`));
  });

  it('says so when the owner is not visible', () => {
    expect(describePortInUse(9092, [])).toBe('port 9092 in use (owner not visible)');
  });
});
