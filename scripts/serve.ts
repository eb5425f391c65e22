/**
 * Serves the built site the way a static host would: precompressed `.br`/`.gz` files when the
 * browser accepts them, correct MIME types (wasm included), `index.html`/`.html` resolution, and the
 * security headers the site needs. Used by `npm start`, the end-to-end tests and the benchmarks.
 *
 *   tsx scripts/serve.ts [--dir DIR, else $BUILD_DIR, else build] [--port 4173] [--host 127.0.0.1] [--base /exclusions]
 *
 * --base serves the site under a sub-path, as a council's web server would that puts it inside its
 * own website; it defaults to the base the build was made for (BASE_PATH when it was built, as its
 * _headers file records: scripts/headers.ts), else BASE_PATH now (svelte.config.js). Then
 * nothing outside the base is the site's: those addresses get the not-found page, except the bare
 * root and the base without its slash, which lead to the site.
 *
 * With no --port (and no PORT), a busy 4173 gives way to the next free port (scripts/listen.ts).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkedBase, configuredBase } from './base-path';
import { baseOfHeaders } from './headers';
import { listen, ListenError, parsePort } from './listen';

const DEFAULT_PORT = 4173;
const HELP = `Usage: npm run serve -- [options]

Serves the built site as a static host would. Exit code 1 when it cannot start, 2 on a wrong
command line.

Options:
  --dir DIR     the built site (default: $BUILD_DIR, else build)
  --port N      the port (default: $PORT, else 4173, or the next free one when 4173 is busy)
  --host HOST   the address to listen on (default: 127.0.0.1)
  --base PATH   serve the site under a sub-path, e.g. /exclusions (default: the base it was built for)
  --help        show this help
`;
let values: { dir?: string; port?: string; host?: string; base?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      dir: { type: 'string', default: process.env.BUILD_DIR ?? 'build' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      base: { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  }));
} catch (e) {
  console.error(`${(e as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
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

const headersFile = path.join(root, '_headers');
let base: string;
try {
  const built = existsSync(headersFile) ? baseOfHeaders(readFileSync(headersFile, 'utf8')) : null;
  base = values.base !== undefined ? await checkedBase(values.base) : (built ?? (await configuredBase()));
} catch (e) {
  console.error(values.base === undefined ? (e as Error).message : (e as Error).message.replace(/^BASE_PATH/, '--base'));
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
const headerRules = readHeaderRules(headersFile);

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
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const urlPath = q < 0 ? url : url.slice(0, q);
  if (base !== '' && (urlPath === '/' || urlPath === base)) {
    res.writeHead(302, { Location: `${base}/${q < 0 ? '' : url.slice(q)}`, 'Cache-Control': 'no-cache' }).end();
    return;
  }
  const file = urlPath.startsWith(`${base}/`) ? resolve(urlPath.slice(base.length)) : null;
  // Headers from _headers, as a static host applies them (to the address asked for, found or not);
  // several CSPs on one response all apply.
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
  console.log(`Dashboard running at http://${shown}:${at}${base}/ (serving ${path.relative(process.cwd(), root) || '.'}; Ctrl+C to stop)`);
} catch (e) {
  if (!(e instanceof ListenError)) throw e;
  console.error(e.message);
  process.exit(1);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.close(() => process.exit(0)));
