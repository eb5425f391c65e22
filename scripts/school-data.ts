/**
 * Writes one file per school, DIR/school-data/URN.json: the data of the school's page but its
 * phase's funnel rows and its reasons (a SchoolSlice, src/lib/ui/school-data.ts), made by the same
 * code that makes the prerendered school pages' data. The national-scale shell
 * (/schools/school?urn=) draws from it at once and asks DuckDB-WASM only for the funnel, so its
 * first chart needs a few kilobytes instead of the engine and 8 MB of tables (DESIGN.md: first chart
 * within 2.5 s). Written at every scale, so the end-to-end tests use the shell's real path.
 *
 * The files are made from the published release (PUBLISHED_DIR, default static/data: what the
 * build copied to DIR/data), and hold nothing that is not in it.
 *
 *   tsx scripts/school-data.ts [DIR, else $BUILD_DIR, else build]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NodeDb } from '../src/lib/data/node-client';
import { SCHOOL_SLICES_PATH, schoolSlices } from '../src/lib/ui/school-data';

const root = path.resolve(process.argv[2] ?? process.env.BUILD_DIR ?? 'build');
const published = path.resolve(process.env.PUBLISHED_DIR ?? 'static/data');
const t0 = performance.now();
const out = path.join(root, SCHOOL_SLICES_PATH);
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const db = await NodeDb.fromPublished(published, ['schools', 'school_year', 'school_period', 'area_year']);
let files = 0;
let bytes = 0;
let pending: Promise<void>[] = [];
try {
  for await (const slice of schoolSlices(db)) {
    const text = JSON.stringify(slice);
    pending.push(writeFile(path.join(out, `${slice.profile.urn}.json`), text));
    files++;
    bytes += Buffer.byteLength(text);
    // A few writes in flight at a time: 22,000 at once would hold every file in memory.
    if (pending.length >= 64) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
} finally {
  await db.close();
}
console.log(
  `wrote ${files} school files in ${path.relative(process.cwd(), out)}: ${(bytes / 1e6).toFixed(1)} MB (${((performance.now() - t0) / 1000).toFixed(1)} s)`
);
