/**
 * The byte-level CSV scan every CSV input goes through before any engine reads it: the pipeline's
 * extract files (Node, native DuckDB) and an analyst's own file dropped on /explore (the browser,
 * DuckDB-WASM). One scan, so that both say the same thing about the same fault.
 *
 * It decides the encoding (UTF-8, UTF-8 with a byte order mark, or Windows-1252, which Excel and many
 * management information systems still export), rejects bytes that are text in neither, and finds
 * the structural faults (ragged rows, stray or unterminated quotes, line breaks inside fields, empty
 * lines) with the line they are on, which DuckDB's own errors do not reliably give. The dialect is
 * fixed (comma, double quote, doubled quote as escape), so nothing is guessed. Browser-safe: no Node
 * imports, so the explorer runs exactly this code.
 */
import { clip, type InputIssue } from './issues';

/** Where the scan reports problems (IssueList satisfies it). */
export interface IssueSink {
  add(i: InputIssue): void;
  readonly full: boolean;
}

export type CsvEncoding = 'utf-8' | 'utf-8 with BOM' | 'windows-1252';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
/** Bytes Windows-1252 leaves undefined (WHATWG's decoder would turn them into C1 controls). */
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

const NOT_TEXT = 'text in UTF-8 or Windows-1252 without control characters (is this a text export of the right file?)';

const FAULTS = {
  'stray-quote': 'a field containing a quote (") to be quoted as a whole, with the quote doubled ("")',
  'after-quote': 'a comma or line end straight after a closing quote (a quote inside a quoted field is doubled: "")',
  'line-break': 'a value on one line (this quoted field runs over a line break: is a closing quote missing?)'
} as const;
type Fault = keyof typeof FAULTS;

export interface CsvScan {
  encoding: CsvEncoding;
  header: string[];
  /** Data rows (header excluded). */
  rows: number;
  /** Every data row's fields, unquoted and decoded: only when the scan was asked to collect them. */
  records?: string[][];
}

export interface ScanOptions {
  /** Keep every record's fields (the explorer loads them); the pipeline leaves DuckDB to read them. */
  collect?: boolean;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (len < 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const b1 = b[i + 1];
    if (b1 === undefined || b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= len; k++) {
      const x = b[i + k];
      if (x === undefined || x < 0x80 || x > 0xbf) return i;
    }
    i += len + 1;
  }
  return -1;
}

/**
 * Windows-1252's characters for bytes 0x80-0x9F (the rest of the code page is Latin-1, byte value =
 * code point). Written out rather than left to `TextDecoder('windows-1252')` because Node 20.18.3+
 * and 22.13+ decode that label as Latin-1, turning 0x92 into the control U+0092 instead of U+2019
 * (nodejs/node#56542, #60888). The five bytes the code page leaves undefined keep their Latin-1
 * value; the scan rejects them before anything is decoded.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Decode Windows-1252 bytes (see CP1252_HIGH for why not TextDecoder). Chunked: large files. */
export function decodeWindows1252(bytes: Uint8Array): string {
  const CHUNK = 8192;
  const codes = new Uint16Array(Math.min(CHUNK, bytes.length));
  let out = '';
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      codes[i - start] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH.charCodeAt(b - 0x80) : b;
    }
    out += String.fromCharCode(...codes.subarray(0, end - start));
  }
  return out;
}

/**
 * Whether bytes are valid UTF-8, by the platform's own (fast, native) strict decoder. In slices, so
 * that a file of hundreds of megabytes never becomes one string (V8 caps a string's length, and the
 * RangeError would otherwise be mistaken for "not UTF-8"); streaming mode carries a character split
 * between two slices over to the next.
 */
function isUtf8(bytes: Uint8Array): boolean {
  const SLICE = 16 * 1024 * 1024;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for (let at = 0; at < bytes.length; at += SLICE) decoder.decode(bytes.subarray(at, at + SLICE), { stream: true });
    decoder.decode();
    return true;
  } catch (e) {
    if (e instanceof TypeError) return false;
    throw e;
  }
}

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Scan a CSV file's bytes. Returns its encoding, header and row count, or null when the file has a
 * problem (reported to `issues`), in which case it must not be loaded. The structural characters
 * (comma, quote, CR, LF) are ASCII and never part of a multi-byte UTF-8 sequence, so one byte-level
 * state machine serves both encodings.
 */
export function scanCsv(bytes: Uint8Array, file: string, issues: IssueSink, options: ScanOptions = {}): CsvScan | null {
  const n = bytes.length;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    issues.add({ file, line: 0, column: '', value: 'a UTF-16 byte order mark', expected: 'UTF-8 or Windows-1252 text (save the file as "CSV UTF-8")' });
    return null;
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const begin = bom ? 3 : 0;
  if (n === begin) {
    issues.add({ file, line: 0, column: '', value: '(empty file)', expected: 'a header line naming the columns, then one line per row' });
    return null;
  }
  // Valid UTF-8 is UTF-8; anything else is taken as Windows-1252, unless a byte order mark said
  // UTF-8, in which case the first invalid sequence is the error.
  const utf8 = isUtf8(bytes.subarray(begin));
  const badUtf8At = bom && !utf8 ? begin + firstInvalidUtf8(bytes.subarray(begin)) : -1;
  const encoding: CsvScan['encoding'] = bom ? 'utf-8 with BOM' : utf8 ? 'utf-8' : 'windows-1252';
  const utf8Decoder = new TextDecoder('utf-8');
  const decode = (a: number, b: number) =>
    encoding === 'windows-1252' ? decodeWindows1252(bytes.subarray(a, b)) : utf8Decoder.decode(bytes.subarray(a, b));

  const START = 0, UNQUOTED = 1, QUOTED = 2, CLOSED = 3; // CLOSED: just after a quote inside a quoted field
  let state = START;
  // (Cast, not annotated: the closures below assign it, which TypeScript's narrowing cannot see.)
  let header = null as string[] | null;
  const headerFields: string[] = [];
  let line = 1;
  let recLine = 1;
  let recStart = begin;
  let fieldStart = begin;
  let fieldIdx = 0;
  let fieldQuoted = false;
  let quoteLine = 0;
  let fault: Fault | null = null;
  let faultLine = 0;
  let recordFaulty = false;
  let fileFaulty = false;
  let rows = 0;
  const blanks: number[] = [];
  const records: string[][] | undefined = options.collect ? [] : undefined;
  let record: string[] = [];

  const column = (idx: number) => header?.[idx] ?? '';
  const report = (i: InputIssue) => {
    issues.add(i);
    fileFaulty = true;
  };
  const setFault = (f: Fault, atLine: number) => {
    if (fault === null) {
      fault = f;
      faultLine = atLine;
    }
  };
  const endField = (end: number) => {
    if (fault !== null && !recordFaulty) {
      recordFaulty = true;
      report({ file, line: faultLine, column: column(fieldIdx), value: clip(decode(fieldStart, end)), expected: FAULTS[fault] });
    }
    if (header === null || records) {
      const raw = decode(fieldStart, end);
      const value = fieldQuoted && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replaceAll('""', '"') : raw;
      (header === null ? headerFields : record).push(value);
    }
    fieldIdx++;
    fault = null;
    fieldQuoted = false;
    state = START;
  };
  /** End of a record at `end` (exclusive); the next one starts at `next`, on line `line`. */
  const endRecord = (end: number, next: number): boolean => {
    if (fieldIdx === 0 && end === recStart && state === START) {
      // Nothing at all on the line. DuckDB skips such lines, which would shift every line number
      // after them, so they are allowed only at the end of the file (where editors often leave one).
      if (header === null) {
        report({ file, line: recLine, column: '', value: '(empty line)', expected: 'the header line first, naming the columns' });
        return false;
      }
      blanks.push(recLine);
    } else {
      endField(end);
      if (header === null) {
        header = [...headerFields];
      } else {
        for (const b of blanks) {
          report({ file, line: b, column: '', value: '(empty line)', expected: `a row of ${header.length} fields (empty lines are allowed only at the end of the file)` });
        }
        blanks.length = 0;
        rows++;
        if (!recordFaulty && fieldIdx !== header.length) {
          report({ file, line: recLine, column: '', value: clip(decode(recStart, end)), expected: `${header.length} fields, like the header (found ${fieldIdx})` });
        } else if (records && !recordFaulty) records.push(record);
      }
    }
    record = [];
    fieldIdx = 0;
    recordFaulty = false;
    fieldStart = recStart = next;
    recLine = line;
    state = START;
    return !issues.full;
  };

  for (let i = begin; i < n; i++) {
    const b = bytes[i]!;
    // Bytes that are text in neither encoding: stop at the first (binary junk would bury the
    // report in thousands of them).
    let bad: string | null = null;
    if (b < 0x20 ? b !== 0x09 && b !== LF && b !== CR : b === 0x7f) bad = `byte ${hex(b)} (a control character)`;
    else if (i === badUtf8At) bad = `byte ${hex(b)} (not valid UTF-8)`;
    else if (b === 0xc2 && encoding !== 'windows-1252' && (bytes[i + 1] ?? 0) >= 0x80 && (bytes[i + 1] ?? 0) <= 0x9f) {
      // U+0080-U+009F: C1 controls, usually the trace of a file transcoded as Latin-1 by mistake.
      bad = `U+00${hex(bytes[i + 1]!).slice(2)} (a control character)`;
    } else if (encoding === 'windows-1252' && UNDEFINED_1252.has(b)) bad = `byte ${hex(b)} (not a character in UTF-8 or Windows-1252)`;
    if (bad !== null) {
      const expected = i === badUtf8At ? 'valid UTF-8 throughout (the file starts with a UTF-8 byte order mark)' : NOT_TEXT;
      issues.add({ file, line, column: header === null ? '' : column(fieldIdx), value: bad, expected });
      return null;
    }

    switch (state) {
      case START:
        if (b === QUOTE) {
          state = QUOTED;
          fieldQuoted = true;
          quoteLine = line;
          fieldStart = i;
        } else if (b === COMMA) {
          endField(i);
          fieldStart = i + 1;
        } else if (b === LF || b === CR) {
          // handled below with the other line ends
        } else {
          state = UNQUOTED;
          fieldStart = i;
        }
        break;
      case UNQUOTED:
        if (b === COMMA) {
          endField(i);
          fieldStart = i + 1;
        } else if (b === QUOTE) setFault('stray-quote', line);
        break;
      case QUOTED:
        if (b === QUOTE) state = CLOSED;
        else if (b === LF) {
          setFault('line-break', quoteLine);
          line++;
        } else if (b === CR) setFault('line-break', quoteLine);
        continue;
      case CLOSED:
        if (b === QUOTE) state = QUOTED; // a doubled quote
        else if (b === COMMA) {
          endField(i);
          fieldStart = i + 1;
        } else if (b !== LF && b !== CR) {
          setFault('after-quote', line);
          state = UNQUOTED;
        }
        break;
    }
    if (b === LF || b === CR) {
      let next = i + 1;
      if (b === CR) {
        if (bytes[i + 1] !== LF) {
          issues.add({ file, line, column: '', value: '\r', expected: 'lines that end in \\n or \\r\\n (this carriage return stands alone)' });
          return null;
        }
        next = i + 2;
        i++;
      }
      line++;
      if (!endRecord(i - (b === CR ? 1 : 0), next)) return null;
      fieldStart = next;
    }
  }
  if (state === QUOTED) {
    if (!recordFaulty) {
      // The field runs to the end of the file: show it up to the end of the line it starts on.
      const eol = bytes.indexOf(LF, fieldStart);
      const firstLine = decode(fieldStart, eol === -1 ? n : eol).replace(/\r$/, '');
      report({ file, line: quoteLine, column: column(fieldIdx), value: clip(firstLine), expected: 'a closing quote (") for the quoted field that starts here' });
    }
  } else if (!(fieldIdx === 0 && n === recStart && state === START)) {
    endRecord(n, n); // a last line without a line end
  }
  if (fileFaulty || header === null) return null;
  return records ? { encoding, header, rows, records } : { encoding, header, rows };
}
