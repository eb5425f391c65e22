/**
 * Builds Arrow columns straight from the values native DuckDB hands back, for the release's Arrow
 * IPC files (native DuckDB cannot write Arrow IPC itself).
 *
 * Why not apache-arrow's `vectorFromArray`: its builders append one value at a time, encoding each
 * string on its own, and on the demo's 300,000 cells that was most of the write stage's time
 * (BENCHMARKS.md). Here a column's strings are joined and encoded in one call, and numbers go into
 * a typed array; the result is the same Arrow data (the test compares them value by value).
 */
import { Float64, Int32, Utf8, makeData, makeVector, type Vector } from 'apache-arrow';
import type { ColumnType } from '../lib/data/schema';

type Cell = string | number | bigint | null | undefined;

/** The validity bitmap (bit set = value present), or none when nothing is missing. */
function validity(values: readonly Cell[]): { nullCount: number; nullBitmap?: Uint8Array } {
  let nullCount = 0;
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return nullCount === 0 ? { nullCount } : { nullCount, nullBitmap: bitmap };
}

// Anything outside 7-bit ASCII needs its UTF-8 length counted; ASCII is one byte a character.
const NON_ASCII = /[^\x00-\x7f]/;

function utf8Column(values: readonly Cell[]): Vector {
  const { nullCount, nullBitmap } = validity(values);
  const offsets = new Int32Array(values.length + 1);
  const parts: string[] = new Array<string>(values.length);
  let end = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const s = v === null || v === undefined ? '' : String(v);
    parts[i] = s;
    end += NON_ASCII.test(s) ? Buffer.byteLength(s, 'utf8') : s.length;
    offsets[i + 1] = end;
  }
  const data = new Uint8Array(Buffer.from(parts.join(''), 'utf8'));
  return makeVector(makeData({ type: new Utf8(), length: values.length, nullCount, nullBitmap, valueOffsets: offsets, data }));
}

function numberColumn(values: readonly Cell[], type: Int32 | Float64): Vector {
  const { nullCount, nullBitmap } = validity(values);
  const data = type instanceof Int32 ? new Int32Array(values.length) : new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) data[i] = Number(v);
  }
  return makeVector(makeData({ type, length: values.length, nullCount, nullBitmap, data } as never));
}

/**
 * A UTF-8 column from a dictionary and a code per row (1-based into `dictionary`; 0 or null for NULL):
 * the same data `arrowColumn('VARCHAR', values)` makes from the decoded values, without a string
 * per row ever coming from DuckDB (publish.ts reads text columns this way).
 */
export function utf8FromCodes(dictionary: readonly string[], codes: readonly (number | null)[]): Vector {
  // Each text encoded once; the column's bytes are then copies of these (no string per row, and no
  // joined text of the whole column to encode).
  const encoder = new TextEncoder();
  const encoded = dictionary.map((s) => encoder.encode(s));
  const n = codes.length;
  const offsets = new Int32Array(n + 1);
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  let end = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c === null || c === undefined || c === 0) nullCount++;
    else {
      end += encoded[c - 1]!.length;
      bitmap[i >> 3]! |= 1 << (i & 7);
    }
    offsets[i + 1] = end;
  }
  const data = new Uint8Array(end);
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c === null || c === undefined || c === 0) continue;
    const bytes = encoded[c - 1]!;
    const at = offsets[i]!;
    for (let k = 0; k < bytes.length; k++) data[at + k] = bytes[k]!;
  }
  return makeVector(
    makeData({ type: new Utf8(), length: n, nullCount, nullBitmap: nullCount === 0 ? undefined : bitmap, valueOffsets: offsets, data })
  );
}

/** One Arrow column of the given contract type from a column of values (NULL as null). */
export function arrowColumn(type: ColumnType, values: readonly Cell[]): Vector {
  if (type === 'VARCHAR') return utf8Column(values);
  return numberColumn(values, type === 'INTEGER' ? new Int32() : new Float64());
}
