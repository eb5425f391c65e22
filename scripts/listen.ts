/**
 * Starting scripts/serve.ts's server on a port, with the errors a person running `npm start` can act
 * on instead of Node's stack trace. The usual surprise is a second `npm start` (or another preview
 * server) on 4173: when nobody chose the port, the next free one is taken, as `vite preview` does;
 * when somebody did (`--port`, `PORT`, as the end-to-end tests and the benchmarks do, which must
 * know where the site is), the port is not changed behind their back and the error says what to do.
 */
import type { Server } from 'node:net';

/** A port as given on the command line or in PORT: a whole number from 1 to 65535, else null. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null;
  const port = Number(text.trim());
  return port >= 1 && port <= 65535 ? port : null;
}

export class ListenError extends Error {}

/** How many ports after the default are tried when nobody chose the port. */
export const FALLBACK_TRIES = 10;

/**
 * Listens on `port` (or, when `chosen` is false and it is in use, on the first free port of the
 * next FALLBACK_TRIES); resolves with the port listened on. Rejects with a ListenError whose
 * message says what to do; `note` hears about a port that was skipped.
 */
export async function listen(server: Server, options: { port: number; host: string; chosen: boolean; note?: (line: string) => void }): Promise<number> {
  const { port, host, chosen } = options;
  const last = chosen ? port : Math.min(65535, port + FALLBACK_TRIES);
  for (let p = port; p <= last; p++) {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const onError = (e: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        resolve(e);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve(null);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(p, host);
    });
    if (!error) return p;
    if (error.code === 'EADDRINUSE') {
      if (p < last) options.note?.(`Port ${p} is in use; trying ${p + 1}.`);
      continue;
    }
    if (error.code === 'EACCES') throw new ListenError(`Not allowed to listen on port ${p} (ports below 1024 need privileges): choose another with --port.`);
    if (error.code === 'EADDRNOTAVAIL') throw new ListenError(`Cannot listen on host ${host}: this machine has no such address. Leave --host out to serve on 127.0.0.1.`);
    if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') throw new ListenError(`Cannot listen on host ${host}: no such host name. Leave --host out to serve on 127.0.0.1.`);
    throw new ListenError(`Cannot listen on ${host}:${p}: ${error.message}`);
  }
  throw new ListenError(
    chosen
      ? `Port ${port} on ${host} is already in use (another \`npm start\` or \`npm run serve\`, perhaps). Stop that server, or choose another port: npm run serve -- --port ${Math.min(65535, port + 1)}`
      : `Ports ${port} to ${last} on ${host} are all in use. Stop one of those servers, or choose a port: npm run serve -- --port N`
  );
}
