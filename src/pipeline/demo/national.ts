/**
 * National-scale synthetic release (issue #8): about 22,000 schools x 10 years x 4 pupil groups,
 * for benchmarking the site at the size of all of England.
 *
 *   tsx src/pipeline/demo/national.ts [--tile static/data] [--out static/data] [--schools 22000]
 *                                     [--years 10] [--seed N] [--no-audit]
 *
 * Why it works at the published-table level, not pupil by pupil: the pupil-level demo generator
 * (generate.ts) and the pipeline take about 7 s for 250 schools on this 2-core machine (100 s when
 * this was written, before the pipeline's speed work), but the pipeline's suppressor and audit
 * hold every cell in JavaScript, and 88 times the demo is some 80 million pupil-year rows (a
 * pupils file of about 2.5 GB) and about 25 million cells. So the release is made inside native
 * DuckDB, in SQL, from a demo release that has already been through the pipeline (the *tile*, one LA of 250
 * schools): it is repeated N / 250 times as one large LA, every copy with its own URNs (a seeded
 * bijection, so copies interleave in URN order and the files do not repeat byte runs a compressor
 * could exploit), and the LA's own rows in area_year and area_breakdown are the tile's times the
 * number of copies (each LA total is the sum of its schools, so it still is). Years beyond the
 * tile's are earlier years, each a copy of one of the tile's years before 2020/21 (one reason per
 * event, as in the years it stands for) under a new label; the pooled
 * period stays the tile's latest three years.
 *
 * Disclosure: every school cell is a cell the pipeline published or suppressed, with the same
 * thresholds, and every additive set is the tile's set repeated (a suppressed cell in one copy has
 * the same companions in that copy; an LA total now adds N / 250 copies of each part), so no
 * suppressed cell becomes recoverable; the independent audit (src/audit) checks the release
 * before it is moved into place, as the pipeline does (`--no-audit` skips it, for a quick look).
 * The release is written by the pipeline's own `publish` (Arrow IPC, Parquet, CSV, manifest,
 * atomic swap). Caveats, said in the manifest's label: schools repeat the tile's figures, and
 * laestab numbers repeat beyond 10,000 schools (one LA code has 10,000 establishment numbers).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { auditRelease, formatBreach } from '../../audit/audit';
import { ensureHeapFor, folderBytes } from '../../audit/heap';
import type { Manifest } from '../../lib/data/manifest';
import { createTableSql, TABLES, TABLE_NAMES, type TableName } from '../../lib/data/schema';
import { checkReleaseDir } from '../out-dir';
import { exitOnInterrupt } from '../temp';
import { publish } from '../publish';

export interface NationalOptions {
  tile: string;
  out: string;
  schools: number;
  years: number;
  seed: number;
  audit: boolean;
  log?: (line: string) => void;
}

export const NATIONAL_USAGE = `Usage: tsx src/pipeline/demo/national.ts [--tile DIR] [--out DIR] [--schools N] [--years M] [--seed N] [--no-audit]

Makes a national-scale synthetic release from a demo release (the tile, default static/data) by
repeating its schools as one large LA, in native DuckDB; writes it with the pipeline's publish
(default --out static/data). --schools is rounded to whole copies of the tile.`;

export function parseNationalArgs(argv: readonly string[]): NationalOptions {
  const o: NationalOptions = { tile: 'static/data', out: 'static/data', schools: 22_000, years: 10, seed: 20240901, audit: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value\n${NATIONAL_USAGE}`);
      return v;
    };
    const whole = (v: string) => {
      if (!/^[0-9]+$/.test(v)) throw new Error(`${a} needs a whole number, got "${v}"`);
      return Number(v);
    };
    if (a === '--tile') o.tile = value();
    else if (a === '--out') o.out = value();
    else if (a === '--schools') o.schools = whole(value());
    else if (a === '--years') o.years = whole(value());
    else if (a === '--seed') o.seed = whole(value());
    else if (a === '--no-audit') o.audit = false;
    else throw new Error(`unknown argument "${a}"\n${NATIONAL_USAGE}`);
  }
  return o;
}

const COUNT_COLUMNS = (t: TableName) => TABLES[t].columns.filter((c) => c.type === 'INTEGER' && !/year_start$/.test(c.name)).map((c) => c.name);
/** From 2020/21 an event can carry up to three reasons (DfE). */
const SINGLE_REASON_FROM = 2020;
const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Build the national tables in `conn` from the tile's Parquet files. Returns the copies made. */
export async function buildNational(conn: DuckDBConnection, o: NationalOptions, tile: Manifest): Promise<{ copies: number; years: string[] }> {
  const tileSchools = tile.tables.schools.rows;
  const copies = Math.max(1, Math.round(o.schools / tileSchools));
  if (copies * tileSchools > 899_999) throw new Error('too many schools for 6-digit URNs');
  const tileYears = tile.years.map((y) => Number(y.slice(0, 4)));
  const first = Math.min(...tileYears);
  const last = Math.max(...tileYears);
  if (o.years < 3) throw new Error('--years must be at least 3 (the pooled period is the latest three)');
  const wanted = Array.from({ length: o.years }, (_, i) => last - o.years + 1 + i);
  // Each wanted year comes from a tile year: itself, or (earlier than the tile) one of its years.
  // An earlier year is copied from a tile year before 2020/21, when each event had one reason (so
  // reasons add up to the events, which the audit checks for those years, set F).
  const span = Math.max(1, tileYears.filter((y) => y < SINGLE_REASON_FROM).length);
  const yearMap = wanted.map((y) => ({ y, from: y >= first ? y : first + ((((y - first) % span) + span) % span) }));
  await conn.run(`CREATE TABLE year_map AS SELECT * FROM (VALUES ${yearMap.map((m) => `(${m.y}, ${m.from})`).join(', ')}) t(year_start, from_start)`);
  const label = (col: string) => `CAST(${col} AS VARCHAR) || '/' || right(CAST(${col} + 1 AS VARCHAR), 2)`;

  for (const t of TABLE_NAMES) {
    await conn.run(`CREATE TABLE tile_${t} AS SELECT * FROM read_parquet(${q(path.join(o.tile, tile.tables[t].files.parquet.path))})`);
  }
  // Copy k of school i gets URN 100000 + ((k * n + i) * 7919 + seed) mod 900000: a bijection on
  // 0..899999 (7919 is prime and does not divide 900000), so URNs are unique and shuffled.
  await conn.run(`CREATE TABLE urn_map AS
    SELECT s.urn AS old_urn, c.copy,
           CAST(100000 + ((c.copy * ${tileSchools} + s.idx) * 7919 + ${o.seed % 900_000}) % 900000 AS VARCHAR) AS urn,
           c.copy * ${tileSchools} + s.idx AS k
    FROM (SELECT urn, row_number() OVER (ORDER BY urn) - 1 AS idx FROM tile_schools) s
    CROSS JOIN range(${copies}) c(copy)`);

  const select = (t: TableName, expr: Record<string, string>) =>
    TABLES[t].columns.map((c) => `${expr[c.name] ?? `x."${c.name}"`} AS "${c.name}"`).join(', ');
  const suffix = (col: string) => `CASE WHEN m.copy = 0 OR x.${col} IS NULL THEN x.${col} ELSE x.${col} || ' ' || CAST(m.copy + 1 AS VARCHAR) END`;
  for (const t of TABLE_NAMES) await conn.run(createTableSql(t));
  await conn.run(`INSERT INTO schools SELECT ${select('schools', {
    urn: 'm.urn',
    laestab: `x.la_code || lpad(CAST(m.k % 10000 AS VARCHAR), 4, '0')`,
    name: suffix('name'),
    trust: suffix('trust')
  })} FROM tile_schools x JOIN urn_map m ON m.old_urn = x.urn`);
  const yearly = { academic_year: label('y.year_start'), year_start: 'y.year_start' };
  for (const t of ['school_year', 'school_year_reason'] as const) {
    await conn.run(`INSERT INTO ${t} SELECT ${select(t, { urn: 'm.urn', ...yearly })}
      FROM tile_${t} x JOIN urn_map m ON m.old_urn = x.urn JOIN year_map y ON y.from_start = x.year_start`);
  }
  await conn.run(`INSERT INTO school_period SELECT ${select('school_period', { urn: 'm.urn' })} FROM tile_school_period x JOIN urn_map m ON m.old_urn = x.urn`);
  // The LA's rows are the sum of its schools: the tile's times the copies. Comparators stay.
  for (const t of ['area_year', 'area_breakdown'] as const) {
    const scaled = Object.fromEntries(COUNT_COLUMNS(t).map((c) => [c, `CASE WHEN x.area_type = 'LA' THEN x."${c}" * ${copies} ELSE x."${c}" END`]));
    await conn.run(`INSERT INTO ${t} SELECT ${select(t, { ...scaled, ...yearly })} FROM tile_${t} x JOIN year_map y ON y.from_start = x.year_start`);
  }
  for (const t of TABLE_NAMES) await conn.run(`DROP TABLE tile_${t}`);
  return { copies, years: wanted.map((y) => `${y}/${String(y + 1).slice(2)}`) };
}

export async function makeNational(o: NationalOptions): Promise<Manifest> {
  const log = o.log ?? console.log;
  const t0 = performance.now();
  const manifestFile = path.join(o.tile, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`No release in ${o.tile}: run \`npm run data\` first (the demo release is the tile).`);
  const tile = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  if (!tile.synthetic) throw new Error(`${o.tile} is not a synthetic demo release; only the demo can be tiled.`);
  if (tile.release.startsWith('national-')) throw new Error(`${o.tile} is already a national-scale release; tile the 250-school demo (npm run data).`);
  await checkReleaseDir(o.out);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run('SET autoinstall_known_extensions = false');
    await conn.run('SET autoload_known_extensions = false');
    const { copies, years } = await buildNational(conn, o, tile);
    const rows: string[] = [];
    for (const t of TABLE_NAMES) {
      const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${t}"`);
      rows.push(`${t} ${Number(r.getRowObjectsJS()[0]?.n).toLocaleString('en-GB')}`);
    }
    log(`national    ${copies} copies of ${tile.tables.schools.rows} schools, ${years[0]} to ${years.at(-1)}: ${rows.join(', ')} rows (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const scale = copies * (years.length / tile.years.length);
    const { tables: _tables, ...rest } = tile;
    void _tables;
    const manifest = await publish({
      conn,
      outDir: o.out,
      stagingRoot: path.join(process.cwd(), '.cache', 'staging'),
      verify: async (staged, written) => {
        await written;
        log(`write       Arrow IPC, Parquet and CSV staged (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        if (!o.audit) {
          log('audit       skipped (--no-audit): run `npm run audit -- ' + o.out + '` on the release');
          return;
        }
        const breaches = await auditRelease(staged, { minCount: tile.disclosure.thresholds.min_count ?? 5, minGroup: tile.disclosure.thresholds.min_group ?? 10 });
        if (breaches.length) throw new Error(`audit refused the release:\n${breaches.slice(0, 20).map(formatBreach).join('\n')}`);
        log(`audit       independent audit passed: no breaches (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      },
      manifest: {
        ...rest,
        release: `national-${copies * tile.tables.schools.rows}x${years.length}`,
        generated_at: new Date().toISOString(),
        label: `SYNTHETIC NATIONAL-SCALE DATA – ${copies} copies of the demo LA's fictional schools, for benchmarking`,
        years,
        latest_year: years.at(-1) ?? '',
        sources: [
          ...tile.sources,
          {
            name: `National-scale tiling of release ${tile.release} (${copies} copies, ${years.length} years)`,
            kind: 'synthetic demo extract',
            files: [],
            published_under: 'the tile\u2019s disclosure control, repeated: every school cell is one the pipeline published or suppressed'
          }
        ],
        disclosure: {
          ...tile.disclosure,
          cells_published: Math.round(tile.disclosure.cells_published * scale),
          cells_suppressed: Object.fromEntries(Object.entries(tile.disclosure.cells_suppressed).map(([k, v]) => [k, Math.round(v * scale)]))
        }
      }
    });
    log(`publish     release ${manifest.release} moved into place at ${o.out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return manifest;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts: NationalOptions;
  try {
    opts = parseNationalArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  if (opts.audit) {
    // The audit of the release holds it all in memory: about the tile's size times the copies
    // and the years (a missing tile is reported by makeNational).
    try {
      const tile = JSON.parse(readFileSync(path.join(opts.tile, 'manifest.json'), 'utf8')) as Manifest;
      ensureHeapFor(folderBytes(opts.tile) * (opts.schools / tile.tables.schools.rows) * Math.max(1, opts.years / tile.years.length));
    } catch {
      // no tile: makeNational says so
    }
  }
  exitOnInterrupt((swapped) => console.error(`national: interrupted: ${swapped ? `the new release had gone into ${opts.out}` : 'nothing was published'}.`));
  makeNational(opts).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`national: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  );
}
