/**
 * Writes `.br` and `.gz` twins of the built site's text and wasm files, for static hosts (and
 * scripts/serve.ts) to serve precompressed. Replaces adapter-static's own `precompress`, which runs
 * brotli at its slowest setting on DuckDB-WASM's two ~35 MB wasm files and added about 90 s to
 * every build; quality 9 is within a few per cent of the size in a fraction of the time, and small
 * files (under 64 KB) still get quality 11. A site with a page per school has hundreds of
 * 100-300 KB pages, so files are compressed a few at a time (zlib works in Node's thread pool), and
 * pages (HTML and their __data.json) over 64 KB get quality 6: measured on 40 school pages, 2% larger
 * than quality 9 in a twenty-eighth of the time (at quality 9 they took 39 s of one thread's brotli
 * time, most of the demo build's 47 s step).
 *
 *   tsx scripts/precompress.ts [DIR, else $BUILD_DIR, else build]
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const br = promisify(brotliCompress);
const gz = promisify(gzip);
const EXTENSIONS = new Set(['.html', '.js', '.mjs', '.json', '.css', '.svg', '.xml', '.txt', '.wasm', '.arrow', '.csv']);

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else if (EXTENSIONS.has(path.extname(p))) yield p;
  }
}

const root = path.resolve(process.argv[2] ?? process.env.BUILD_DIR ?? 'build');
const t0 = performance.now();
let count = 0;
let before = 0;
let after = 0;
async function compress(file: string): Promise<void> {
  const bytes = await readFile(file);
  if (bytes.length < 256) return;
  // Every school's file (scripts/school-data.ts) at quality 5: at national scale there are 22,000,
  // and quality 11 took 110 ms each (40 minutes) for 17% fewer bytes than quality 5's 3 ms.
  const quality = file.includes(`${path.sep}school-data${path.sep}`) ? 5 : bytes.length < 64_000 ? 11 : /\.(html|json)$/.test(file) ? 6 : 9;
  const [b, g] = await Promise.all([
    br(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
    gz(bytes, { level: 9 })
  ]);
  await Promise.all([writeFile(`${file}.br`, b), writeFile(`${file}.gz`, g)]);
  count++;
  before += bytes.length;
  after += b.length;
}

// PRECOMPRESS_SKIP=csv leaves files of those extensions uncompressed: for a benchmark build at
// national scale, whose 2.2 GB of CSV downloads no page fetches (brotli on them is most of the
// build's time). A site to publish is built without it.
const skip = new Set((process.env.PRECOMPRESS_SKIP ?? '').split(',').filter(Boolean).map((e) => `.${e.replace(/^\./, '')}`));
const queue: string[] = [];
for await (const file of files(root)) if (!skip.has(path.extname(file))) queue.push(file);
// The two ~35 MB wasm files first, so they are not left to run alone at the end.
queue.sort((a, b) => Number(b.endsWith('.wasm')) - Number(a.endsWith('.wasm')));
await Promise.all(
  Array.from({ length: 4 }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) await compress(f);
  })
);
console.log(
  `precompressed ${count} files in ${path.relative(process.cwd(), root)}: ${(before / 1e6).toFixed(1)} MB -> ${(after / 1e6).toFixed(1)} MB brotli (${((performance.now() - t0) / 1000).toFixed(1)} s)`
);
