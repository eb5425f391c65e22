/**
 * Building blocks for the extract reader's property tests (src/pipeline/extract.test.ts and
 * src/pipeline/input-fuzz.test.ts): copies of the small fixture extract with files replaced, a
 * load that returns an InputError instead of throwing it (anything else still throws, with its
 * stack, and fails the property), and the shape every InputError must have.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { InputError, MAX_ISSUES } from '../../src/pipeline/errors';
import { decodeWindows1252, loadExtract, type LoadedExtract } from '../../src/pipeline/extract';

export const SMALL = path.resolve(import.meta.dirname, '../fixtures/extract-small');
export const NAMES = ['schools.csv', 'pupils.csv', 'exclusions.csv', 'comparators.csv'];

export interface ExtractCases {
  /** A fresh copy of extract-small (or of `from`) with some files replaced (and some removed). */
  extractWith(files: Record<string, Uint8Array | string>, remove?: string[], from?: string): string;
  /** Load an extract folder on a fresh DuckDB; the folder is removed afterwards. */
  load(dir: string, after?: (conn: DuckDBConnection, loaded: LoadedExtract) => Promise<void>): Promise<LoadedExtract | InputError>;
  /** Remove every copy (call from afterAll). */
  cleanup(): void;
}

/** Made at once, in the system's temporary folder as it is now (a test may point TMPDIR elsewhere later). */
export function extractCases(prefix = 'extract-test-'): ExtractCases {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  let counter = 0;
  return {
    extractWith(files, remove = [], from = SMALL) {
      const dir = path.join(root, `case-${counter++}`);
      cpSync(from, dir, { recursive: true });
      for (const name of remove) rmSync(path.join(dir, name), { force: true });
      for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
      return dir;
    },
    async load(dir, after) {
      const instance = await DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      try {
        const loaded = await loadExtract(conn, dir);
        await after?.(conn, loaded);
        return loaded;
      } catch (e) {
        if (e instanceof InputError) return e;
        throw e; // anything else fails the property, with its stack
      } finally {
        conn.closeSync();
        instance.closeSync();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

/**
 * What every InputError must look like: a bounded list of issues, each pointing at a file of the
 * extract (`files`, by name) with a line and a column, and a message without a stack trace.
 */
export function expectWellFormed(err: InputError, blame: string, files: readonly string[] = NAMES): void {
  expect(err.issues.length).toBeGreaterThan(0);
  expect(err.issues.length).toBeLessThanOrEqual(MAX_ISSUES);
  for (const i of err.issues) {
    expect(Number.isInteger(i.line) && i.line >= 0).toBe(true);
    expect(typeof i.column === 'string' && typeof i.value === 'string' && i.expected.length > 0).toBe(true);
    expect(files.includes(i.file), `issue names ${i.file}`).toBe(true);
  }
  expect(err.issues.map((i) => i.file)).toContain(blame);
  expect(err.message).not.toMatch(/\n\s+at /);
}

export const utf8 = (s: string) => new TextEncoder().encode(s);

const CP1252_BYTE = new Map<string, number>();
for (let b = 0; b < 256; b++) CP1252_BYTE.set(decodeWindows1252(Uint8Array.of(b)), b);

/** Encode text as Windows-1252 (every character must be in the code page). */
export function encode1252(s: string): Uint8Array {
  return Uint8Array.from(
    [...s].map((c) => {
      const b = CP1252_BYTE.get(c);
      if (b === undefined) throw new Error(`not in Windows-1252: ${c}`);
      return b;
    })
  );
}

/** Encode text as UTF-16 (little- or big-endian), with or without its byte order mark. */
export function encodeUtf16(s: string, endian: 'le' | 'be', bom: boolean): Uint8Array {
  const units = (bom ? '\ufeff' : '') + s;
  const out = new Uint8Array(units.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < units.length; i++) view.setUint16(i * 2, units.charCodeAt(i), endian === 'le');
  return out;
}
