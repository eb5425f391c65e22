/**
 * The fast path of the CSV check, for the files a council's system usually exports: UTF-8 (with or
 * without a byte order mark) and no quote character anywhere. For such a file the structure is
 * simple enough to check in one tight loop over the bytes (every line a record, every record as many
 * commas as the header), which costs a fraction of the full scan (src/lib/validation/csv-scan.ts)
 * and can run while DuckDB is already loading the file (extract.ts).
 *
 * It is deliberately a subset: `plainCsv` answers only when the full scan would accept the file with
 * the same encoding, header and row count, and returns null for anything else (a quote, a control
 * character, a C1 control, a carriage return without its line feed, an empty line anywhere, even a
 * harmless one at the end, a record with the wrong number of fields, bytes that are not UTF-8). A
 * null sends the file down the full scan, which finds the fault and words it with its line and
 * column, so no error message ever comes from here. A test checks the two agree on the bad-input
 * corpus and on random files.
 */
import { isUtf8 } from 'node:buffer';
import type { CsvScan } from '../lib/validation/csv-scan';

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;

/**
 * Each byte's class: 0 plain text, 1 comma, 2 line feed, 3 carriage return, 4 needs a closer look
 * (0xC2, the lead byte of U+0080-U+00BF, of which U+0080-U+009F are C1 controls), 5 send the file
 * to the full scan (control characters other than tab, the quote, DEL).
 */
const CLASS = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) CLASS[b] = 5;
CLASS[0x09] = 0;
CLASS[LF] = 2;
CLASS[CR] = 3;
CLASS[COMMA] = 1;
CLASS[0x22] = 5;
CLASS[0x7f] = 5;
CLASS[0xc2] = 4;

/** The header fields and where the data starts, for a file `plainCsv` may accept; else null. */
export function plainHeader(bytes: Uint8Array): { header: string[]; begin: number; encoding: CsvScan['encoding'] } | null {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const begin = bom ? 3 : 0;
  if (bytes.length === begin || !isUtf8(bytes.subarray(begin))) return null;
  let end = bytes.indexOf(LF, begin);
  if (end === -1) end = bytes.length;
  if (end > begin && bytes[end - 1] === CR) end--;
  if (end === begin) return null;
  const line = Buffer.from(bytes.buffer, bytes.byteOffset + begin, end - begin).toString('utf8');
  if (line.includes('"')) return null;
  return { header: line.split(','), begin, encoding: bom ? 'utf-8 with BOM' : 'utf-8' };
}

/**
 * The data rows of a quote-free UTF-8 CSV file whose header has `fields` fields, counted from
 * `begin` (after any byte order mark): exactly the `rows` the full scan reports for it. Null when
 * the file is anything but plain (see the module comment), including every file the scan refuses.
 */
export function plainCsv(bytes: Uint8Array, begin: number, fields: number): number | null {
  const n = bytes.length;
  let commas = 0;
  let lineStart = begin;
  let lines = 0;
  for (let i = begin; i < n; i++) {
    const c = CLASS[bytes[i]!]!;
    if (c === 0) continue;
    if (c === 1) {
      commas++;
      continue;
    }
    if (c === 3) {
      // Only as part of \r\n; the line feed then ends the line.
      if (bytes[i + 1] !== LF) return null;
      continue;
    }
    if (c === 2) {
      const contentEnd = bytes[i - 1] === CR && i - 1 >= lineStart ? i - 1 : i;
      if (contentEnd === lineStart) return null; // an empty line
      if (commas !== fields - 1) return null;
      commas = 0;
      lines++;
      lineStart = i + 1;
      continue;
    }
    if (c === 4) {
      const next = bytes[i + 1] ?? 0;
      if (next >= 0x80 && next <= 0x9f) return null;
      continue;
    }
    return null;
  }
  if (lineStart < n) {
    // A last line without a line end.
    if (commas !== fields - 1) return null;
    lines++;
  }
  return lines === 0 ? null : lines - 1;
}
