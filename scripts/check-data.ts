/**
 * Runs first in `npm run build`: stops at once, saying what to run, when there is no published
 * release to build the site from, or when files its manifest lists are missing. Without it the
 * prerender fails deep inside SvelteKit, its message buried in a stack trace.
 *
 *   tsx scripts/check-data.ts   (reads $PUBLISHED_DIR, else static/data)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What is wrong with the release in `dir` for building the site, or null when nothing is. */
export function publishedDataProblem(dir: string): string | null {
  const relative = path.relative(process.cwd(), dir);
  const shown = relative === '' ? '.' : relative.startsWith('..') ? dir : relative;
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) return `No published data in ${shown} (no manifest.json): run \`npm run data\` first, then build.`;
  let manifest: { tables?: Record<string, { files?: Record<string, { path?: string }> }> };
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as typeof manifest;
  } catch {
    return `${shown}/manifest.json is not valid JSON: run \`npm run data\` again, then build.`;
  }
  const listed = Object.values(manifest.tables ?? {}).flatMap((t) => Object.values(t.files ?? {}).map((f) => f.path ?? ''));
  if (listed.length === 0) return `${shown}/manifest.json lists no tables: run \`npm run data\` again, then build.`;
  const missing = listed.filter((p) => !p || !existsSync(path.join(dir, p)));
  if (missing.length > 0) return `${shown} lacks ${missing.length} of the files its manifest lists (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}): run \`npm run data\` again, then build.`;
  return null;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const problem = publishedDataProblem(path.resolve(process.env.PUBLISHED_DIR ?? 'static/data'));
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
