// The browser's checks on published data, run on DuckDB-WASM's Node bundle (the engine users get):
// every way a fetched file can differ from the manifest ends in a DataFileError naming the file and
// what differed, leaves no half-loaded table behind, and leaves other tables loadable. Plus fuzzing
// of the manifest check and of the JavaScript SHA-256 against Node's.
import { Int32, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from './manifest';
import { sha256Hex, sha256Js } from './sha256';
import { DataFileError, loadVerifiedTable, parseManifest, type ArrowSink } from './verify';
import { WasmNodeDb } from './wasm-node';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function ipc(rows: number): Uint8Array {
  const ids = Array.from({ length: rows }, (_, i) => i);
  return tableToIPC(
    new Table({ id: vectorFromArray(ids, new Int32()), name: vectorFromArray(ids.map((i) => `school ${i}`), new Utf8()) }),
    'stream'
  );
}

const FILES: Record<string, Uint8Array> = { alpha: ipc(40), beta: ipc(7) };

function manifestFor(files: Record<string, Uint8Array>, rows: Record<string, number>): Manifest {
  const tables: Record<string, unknown> = {};
  for (const [name, bytes] of Object.entries(files)) {
    const f = (ext: string) => ({ path: `${name}.${ext}`, bytes: bytes.byteLength, sha256: hex(bytes) });
    tables[name] = { rows: rows[name], description: name, files: { arrow: f('arrow'), parquet: f('parquet'), csv: f('csv') } };
  }
  return { tables } as unknown as Manifest;
}

const GOOD = manifestFor(FILES, { alpha: 40, beta: 7 });

/** A server holding `files` by path; `status` overrides the response for a path. */
function server(files: Record<string, Uint8Array>, status: Record<string, number> = {}) {
  return async (path: string): Promise<Response> => {
    const name = path.replace(/\.arrow$/, '');
    const bytes = files[name];
    if (status[path] || !bytes) return new Response('not found', { status: status[path] ?? 404 });
    return new Response(bytes.slice(), { status: 200 });
  };
}

let db: WasmNodeDb;
let sink: ArrowSink;
const count = (name: string) => Number((db.connection.query(`SELECT count(*)::INTEGER AS n FROM "${name}"`).toArray()[0] as { n: number }).n);
const exists = (name: string) =>
  Number((db.connection.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = '${name}'`).toArray()[0] as { n: number }).n) > 0;

beforeAll(async () => {
  db = await WasmNodeDb.open();
  sink = {
    // A connection per insert, as the browser client does (see ArrowSink).
    insert: async (name, bytes) => {
      const c = db.openConnection();
      try {
        c.insertArrowFromIPCStream(bytes, { name, create: true });
      } finally {
        c.close();
      }
    },
    count: async (name) => count(name),
    drop: async (name) => db.exec(`DROP TABLE IF EXISTS "${name}"`)
  };
});
afterAll(async () => {
  await db.close();
});

async function failure(p: Promise<unknown>): Promise<DataFileError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err
  );
  expect(e).toBeInstanceOf(DataFileError);
  return e as DataFileError;
}

describe('loadVerifiedTable', () => {
  it('loads a file that matches the manifest', async () => {
    await loadVerifiedTable(GOOD, 'alpha', server(FILES), sink);
    expect(count('alpha')).toBe(40);
  });

  it('a missing file (HTTP 404) names the file and the status', async () => {
    const e = await failure(loadVerifiedTable(GOOD, 'alpha', server({}), sink));
    expect(e.problem).toBe('unavailable');
    expect(e.file).toBe('alpha.arrow');
    expect(e.message).toBe('The data file alpha.arrow could not be downloaded (HTTP 404).');
  });

  it('a network failure is a download error, not a crash', async () => {
    const e = await failure(loadVerifiedTable(GOOD, 'alpha', () => Promise.reject(new TypeError('Failed to fetch')), sink));
    expect(e.problem).toBe('unavailable');
    expect(e.message).toContain('alpha.arrow could not be downloaded (Failed to fetch)');
  });

  it('a truncated file is reported by size, before any checksum work', async () => {
    const cut = FILES.alpha!.slice(0, FILES.alpha!.byteLength - 100);
    const e = await failure(loadVerifiedTable(GOOD, 'alpha', server({ alpha: cut }), sink));
    expect(e.problem).toBe('size');
    expect([e.expected, e.found]).toEqual([FILES.alpha!.byteLength, cut.byteLength]);
    expect(e.message).toMatch(/^The data file alpha\.arrow is incomplete or damaged: it has [\d,]+ bytes, the release manifest says [\d,]+\.$/);
  });

  it('corrupt bytes of the right length are reported by checksum', async () => {
    const bad = FILES.alpha!.slice();
    bad[bad.length >> 1] = bad[bad.length >> 1]! ^ 0xff;
    const e = await failure(loadVerifiedTable(GOOD, 'alpha', server({ alpha: bad }), sink));
    expect(e.problem).toBe('checksum');
    expect(e.found).toBe(hex(bad));
    expect(e.expected).toBe(hex(FILES.alpha!));
    expect(e.message).toContain(`its SHA-256 checksum (${hex(bad).slice(0, 16)}…) differs from the one in the release manifest (${hex(FILES.alpha!).slice(0, 16)}…).`);
  });

  it('a manifest whose checksum does not match the file is reported by checksum', async () => {
    const m = structuredClone(GOOD);
    m.tables['alpha' as keyof Manifest['tables']].files.arrow.sha256 = '0'.repeat(64);
    const e = await failure(loadVerifiedTable(m, 'alpha', server(FILES), sink));
    expect(e.problem).toBe('checksum');
  });

  it('a row count that differs from the manifest fails and leaves no table behind', async () => {
    const m = manifestFor(FILES, { alpha: 41, beta: 7 });
    db.exec('DROP TABLE IF EXISTS alpha');
    const e = await failure(loadVerifiedTable(m, 'alpha', server(FILES), sink));
    expect(e.problem).toBe('rows');
    expect(e.message).toBe('The data file alpha.arrow has 40 rows, the release manifest says 41.');
    expect(exists('alpha')).toBe(false);
  });

  it('bytes that match the manifest but are not Arrow are unreadable, and the engine carries on', async () => {
    const junk = new TextEncoder().encode('<!doctype html><title>Not found</title>'.repeat(20));
    const m = manifestFor({ ...FILES, alpha: junk }, { alpha: 40, beta: 7 });
    const e = await failure(loadVerifiedTable(m, 'alpha', server({ ...FILES, alpha: junk }), sink));
    expect(e.problem).toBe('unreadable');
    expect(e.message).toBe('The data file alpha.arrow could not be read as Arrow: it is not an Arrow IPC stream.');
    expect(exists('alpha')).toBe(false);
    await loadVerifiedTable(GOOD, 'beta', server(FILES), sink);
    expect(count('beta')).toBe(7);
  });

  it('one broken table does not stop another from loading, and a retry after a fix succeeds', async () => {
    db.exec('DROP TABLE IF EXISTS alpha; DROP TABLE IF EXISTS beta');
    const broken = server(FILES, { 'alpha.arrow': 503 });
    const results = await Promise.allSettled([loadVerifiedTable(GOOD, 'alpha', broken, sink), loadVerifiedTable(GOOD, 'beta', broken, sink)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(count('beta')).toBe(7);
    await loadVerifiedTable(GOOD, 'alpha', server(FILES), sink);
    expect(count('alpha')).toBe(40);
  });

  it('a table the manifest does not list is a manifest error', async () => {
    const e = await failure(loadVerifiedTable(GOOD, 'gamma', server(FILES), sink));
    expect(e.problem).toBe('manifest');
    expect(e.file).toBe('manifest.json');
  });

  it('any bytes at all, with a manifest that matches them: a load or a DataFileError, and the engine survives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (bytes, arrowPrefix) => {
        // Half the cases start like a real Arrow stream, so the reader gets past its first check.
        // The other half end like one too, so the bytes reach DuckDB.
        const body = arrowPrefix ? Uint8Array.from([...FILES.beta!.slice(0, 200), ...bytes, ...FILES.beta!.slice(-8)]) : bytes;
        const m = manifestFor({ fuzz: body }, { fuzz: 7 });
        await loadVerifiedTable(m, 'fuzz', server({ fuzz: body }), sink).catch((e: unknown) => {
          expect(e).toBeInstanceOf(DataFileError);
        });
        expect(count('beta')).toBe(7);
      }),
      { numRuns: 60 }
    );
  });
});

describe('parseManifest', () => {
  it('accepts the manifest the pipeline writes', () => {
    expect(parseManifest(JSON.parse(JSON.stringify(GOOD)))).toEqual(GOOD);
  });

  it.each([
    ['null', null, 'it is not a JSON object'],
    ['an array', [], 'it is not a JSON object'],
    ['no tables', { tables: {} }, 'it lists no tables'],
    ['a table name that is SQL', { tables: { 'x"; DROP TABLE y; --': {} } }, 'is not a plain name'],
    ['no row count', { tables: { a: { rows: -1, files: {} } } }, 'table a has no row count'],
    ['no Arrow file', { tables: { a: { rows: 1, files: {} } } }, 'table a has no Arrow file'],
    ['a path that leaves the folder', { tables: { a: { rows: 1, files: { arrow: { path: '../a.arrow', bytes: 1, sha256: 'a'.repeat(64) } } } } }, 'no plain file name'],
    ['a path to another site', { tables: { a: { rows: 1, files: { arrow: { path: 'https://x.example/a', bytes: 1, sha256: 'a'.repeat(64) } } } } }, 'no plain file name'],
    ['no size', { tables: { a: { rows: 1, files: { arrow: { path: 'a.arrow', bytes: '1', sha256: 'a'.repeat(64) } } } } }, 'a.arrow has no size'],
    ['a short checksum', { tables: { a: { rows: 1, files: { arrow: { path: 'a.arrow', bytes: 1, sha256: 'abc' } } } } }, 'a.arrow has no SHA-256 checksum']
  ])('rejects %s with a clear message', (_, json, words) => {
    expect(() => parseManifest(json)).toThrow(DataFileError);
    expect(() => parseManifest(json)).toThrow(words);
  });

  it('any JSON value: a manifest or a DataFileError, never another exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (v) => {
        try {
          parseManifest(v);
        } catch (e) {
          expect(e).toBeInstanceOf(DataFileError);
        }
      }),
      { numRuns: 500 }
    );
  });

  it('any one field of a good manifest changed to any value: a manifest or a DataFileError', () => {
    const paths = ['rows', 'files', 'files.arrow', 'files.arrow.path', 'files.arrow.bytes', 'files.arrow.sha256'];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (at, value) => {
        const m = JSON.parse(JSON.stringify(GOOD)) as { tables: Record<string, Record<string, unknown>> };
        const keys = at.split('.');
        let o: Record<string, unknown> = m.tables.alpha!;
        for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
        o[keys.at(-1)!] = value;
        try {
          parseManifest(m);
        } catch (e) {
          expect(e).toBeInstanceOf(DataFileError);
        }
      }),
      { numRuns: 300 }
    );
  });
});

describe('SHA-256', () => {
  it('the JavaScript fallback agrees with Node for any bytes, block boundaries included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 50, max: 130 }).map((n) => new Uint8Array(n).fill(0x61))), (b) => {
        expect(sha256Js(b)).toBe(hex(b));
      }),
      { numRuns: 300 }
    );
  });

  it('crypto.subtle and the fallback agree, on a file-sized input too', async () => {
    expect(sha256Js(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const big = FILES.alpha!;
    expect(await sha256Hex(big, 'subtle')).toBe(hex(big));
    expect(await sha256Hex(big, 'javascript')).toBe(hex(big));
    const large = new Uint8Array(3_000_017).map((_, i) => (i * 2654435761) >>> 24);
    expect(await sha256Hex(large, 'javascript')).toBe(hex(large));
  });
});
