// scripts/listen.ts on real sockets: a busy default port gives way, a chosen one does not.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FALLBACK_TRIES, listen, ListenError, parsePort } from './listen';

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});
function server(): Server {
  const s = createServer();
  open.push(s);
  return s;
}
/** A port something is listening on, found by asking the system for a free one. */
async function busyPort(): Promise<number> {
  const s = server();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const address = s.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('parsePort', () => {
  it('takes whole numbers from 1 to 65535 and nothing else', () => {
    expect(parsePort('4173')).toBe(4173);
    expect(parsePort(' 8080 ')).toBe(8080);
    expect(parsePort('1')).toBe(1);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['0', '65536', '99999', '', 'abc', '80a', '-1', '1.5', '0x50', '1e3']) expect(parsePort(bad), bad).toBeNull();
  });
});

describe('listen', () => {
  it('listens on a free port and says which', async () => {
    const port = await busyPort();
    await new Promise((r) => open[0]!.close(r));
    open.length = 0;
    const s = server();
    expect(await listen(s, { port, host: '127.0.0.1', chosen: true })).toBe(port);
    expect(s.listening).toBe(true);
  });

  it('a port somebody chose that is in use: a message saying what to do, and no other port', async () => {
    const port = await busyPort();
    const s = server();
    const notes: string[] = [];
    const failure = await listen(s, { port, host: '127.0.0.1', chosen: true, note: (l) => notes.push(l) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as Error).message).toBe(
      `Port ${port} on 127.0.0.1 is already in use (another \`npm start\` or \`npm run serve\`, perhaps). Stop that server, or choose another port: npm run serve -- --port ${port + 1}`
    );
    expect(s.listening).toBe(false);
    expect(notes).toEqual([]);
  });

  it('the default port in use: the next free one is taken, and the skipped port is named', async () => {
    const port = await busyPort();
    const s = server();
    const notes: string[] = [];
    const at = await listen(s, { port, host: '127.0.0.1', chosen: false, note: (l) => notes.push(l) });
    expect(at).toBeGreaterThan(port);
    expect(at).toBeLessThanOrEqual(port + FALLBACK_TRIES);
    expect(s.listening).toBe(true);
    expect((s.address() as { port: number }).port).toBe(at);
    expect(notes[0]).toBe(`Port ${port} is in use; trying ${port + 1}.`);
    expect(notes).toHaveLength(at - port);
  });

  it('every port of the range in use: one message naming the range', async () => {
    // Hold a port and the ten after it (elsewhere, when one of them is taken already).
    const hold = (p: number) =>
      new Promise<Server | null>((r) => {
        const s = createServer();
        s.once('error', () => r(null));
        s.listen(p, '127.0.0.1', () => r(s));
      });
    let base = 0;
    for (let attempt = 0; attempt < 20 && base === 0; attempt++) {
      const first = await busyPort();
      const held: Server[] = [];
      for (let p = first + 1; p <= first + FALLBACK_TRIES; p++) {
        const s = await hold(p);
        if (!s) break;
        held.push(s);
      }
      open.push(...held);
      if (held.length === FALLBACK_TRIES) base = first;
    }
    expect(base).toBeGreaterThan(0);
    const failure = await listen(server(), { port: base, host: '127.0.0.1', chosen: false }).catch((e: unknown) => e);
    expect((failure as Error).message).toBe(
      `Ports ${base} to ${base + FALLBACK_TRIES} on 127.0.0.1 are all in use. Stop one of those servers, or choose a port: npm run serve -- --port N`
    );
  });

  it('a host this machine does not have: a message saying so', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address.
    const failure = await listen(server(), { port: 4173, host: '192.0.2.1', chosen: true }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as Error).message).toBe('Cannot listen on host 192.0.2.1: this machine has no such address. Leave --host out to serve on 127.0.0.1.');
  });
});
