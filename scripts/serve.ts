/**
 * Serves the built site the way a static host would: precompressed `.br`/`.gz` files when the
 * browser accepts them, correct MIME types (wasm included), `index.html`/`.html` resolution, and the
 * security headers the site needs. Used by `npm start`, the end-to-end tests and the benchmarks.
 *
 *   tsx scripts/serve.ts [--dir build] [--port 4173] [--host 127.0.0.1]
 *
 * With no --port (and no PORT), a busy 4173 gives way to the next free port (scripts/listen.ts).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listen, ListenError, parsePort } from './listen';

const DEFAULT_PORT = 4173;
const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'build' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' }
  }
});
const portText = values.port ?? process.env.PORT;
const port = portText === undefined ? DEFAULT_PORT : parsePort(portText);
if (port === null) {
  console.error(`${values.port !== undefined ? '--port' : 'PORT'} must be a whole number from 1 to 65535, not "${portText}".`);
  process.exit(1);
}

const root = path.resolve(values.dir!);
if (!existsSync(path.join(root, 'index.html'))) {
  console.error(`No built site in ${root}: run \`npm run build\` first.`);
  process.exit(1);
}

/** Rules from build/_headers (scripts/headers.ts): a path pattern with `*`, and its headers. */
function readHeaderRules(file: string): { pattern: RegExp; headers: [string, string][] }[] {
  if (!existsSync(file)) return [];
  const rules: { pattern: RegExp; headers: [string, string][] }[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const glob = line.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
      rules.push({ pattern: new RegExp(`^${glob}$`), headers: [] });
    } else {
      const i = line.indexOf(':');
      rules.at(-1)?.headers.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
    }
  }
  return rules;
}
const headerRules = readHeaderRules(path.join(root, '_headers'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.wasm': 'application/wasm',
  '.arrow': 'application/vnd.apache.arrow.stream',
  '.parquet': 'application/vnd.apache.parquet',
  '.woff2': 'font/woff2'
};

function resolve(urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  const file = path.join(root, path.normalize(p));
  if (!file.startsWith(root)) return null;
  const candidates = [file, `${file}.html`, path.join(file, 'index.html')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

function send(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolve(req.url ?? '/');
  // Headers from _headers, as a static host applies them (to the address asked for, found or not);
  // several CSPs on one response all apply.
  const urlPath = (req.url ?? '/').split('?')[0] ?? '/';
  const extra: [string, string][] = headerRules.filter((r) => r.pattern.test(urlPath)).flatMap((r) => r.headers);
  if (!file) {
    // The not-found page (src/routes/404), with the status a host gives it.
    const notFound = path.join(root, '404.html');
    res.writeHead(404, [...Object.entries({ 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-cache' }), ...extra].flat());
    if (req.method === 'HEAD') res.end();
    else if (existsSync(notFound)) createReadStream(notFound).pipe(res);
    else res.end('Not found');
    return;
  }
  const accept = String(req.headers['accept-encoding'] ?? '');
  const headers: Record<string, string> = {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    Vary: 'Accept-Encoding',
    'Cache-Control': file.includes(`${path.sep}_app${path.sep}immutable${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'
  };
  let body = file;
  for (const [enc, ext] of [
    ['br', '.br'],
    ['gzip', '.gz']
  ] as const) {
    if (accept.includes(enc) && existsSync(file + ext)) {
      body = file + ext;
      headers['Content-Encoding'] = enc;
      break;
    }
  }
  headers['Content-Length'] = String(statSync(body).size);
  const all: [string, string][] = [...Object.entries(headers), ...extra];
  res.writeHead(200, all.flat());
  if (req.method === 'HEAD') res.end();
  else createReadStream(body).pipe(res);
}

const server = createServer(send);
try {
  const at = await listen(server, { port, host: values.host!, chosen: portText !== undefined, note: (line) => console.log(line) });
  const shown = ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(values.host!) ? 'localhost' : values.host!.includes(':') ? `[${values.host}]` : values.host;
  console.log(`Dashboard running at http://${shown}:${at}/ (serving ${path.relative(process.cwd(), root) || '.'}; Ctrl+C to stop)`);
} catch (e) {
  if (!(e instanceof ListenError)) throw e;
  console.error(e.message);
  process.exit(1);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.close(() => process.exit(0)));
