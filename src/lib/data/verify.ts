/**
 * Checks, in the browser, that the data it fetched is the data the release published: the
 * manifest's shape, each Arrow file's size and SHA-256 against `manifest.json` once downloaded, and
 * its row count once loaded into DuckDB-WASM.
 *
 * Why: a truncated download, a corrupted cache or proxy, a half-deployed release (a new manifest
 * beside old files) or a tampered file would otherwise be drawn as if it were the published
 * figures. Every mismatch is a `DataFileError` naming the file and what differed; the chart that
 * needed the file shows it in place of an update (ChartFrame), its prerendered figures stay on the
 * page, and charts that read other files carry on.
 *
 * The loader is written against a small `ArrowSink` rather than DuckDB-WASM's connection so that
 * its unit tests run it on DuckDB-WASM's Node bundle, the same engine the browser uses.
 */
import type { Manifest, ManifestTable, PublishedFile } from './manifest';
import { sha256Hex } from './sha256';

/** What went wrong with a published file. */
export type DataProblem =
  /** Not downloaded: an HTTP error or a network failure. */
  | 'unavailable'
  /** Downloaded, but not the size the manifest gives. */
  | 'size'
  /** The right size, but not the bytes the manifest's SHA-256 describes. */
  | 'checksum'
  /** The right bytes, but DuckDB read a different number of rows than the manifest gives. */
  | 'rows'
  /** The right bytes, but DuckDB could not read them as Arrow IPC. */
  | 'unreadable'
  /** manifest.json itself is missing, not JSON, or lacks what the browser needs. */
  | 'manifest';

export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    /** The file's path inside the published folder, e.g. `area_year.arrow`. */
    readonly file: string,
    readonly problem: DataProblem,
    message: string,
    /** What the manifest says and what was found, in full (the message shortens checksums). */
    readonly expected?: string | number,
    readonly found?: string | number
  ) {
    super(message);
  }
}

const MANIFEST = 'manifest.json';
/** Table names become SQL identifiers and file names become URLs: both must be plain. */
const TABLE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/;
const SHA256 = /^[0-9a-f]{64}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function manifestError(what: string): DataFileError {
  return new DataFileError(MANIFEST, 'manifest', `The release manifest (${MANIFEST}) is not usable: ${what}.`);
}

/**
 * Check that parsed `manifest.json` has what the browser relies on: for every table, a row count
 * and an Arrow file with a plain name, a size and a SHA-256. Only those parts are checked (the
 * rest is shown as text, never executed); the table list is whatever the release holds.
 */
export function parseManifest(json: unknown): Manifest {
  if (!isRecord(json)) throw manifestError('it is not a JSON object');
  const tables = json.tables;
  if (!isRecord(tables) || Object.keys(tables).length === 0) throw manifestError('it lists no tables');
  for (const [name, t] of Object.entries(tables)) {
    if (!TABLE_NAME.test(name)) throw manifestError(`the table name ${JSON.stringify(name.slice(0, 80))} is not a plain name`);
    if (!isRecord(t) || !isCount(t.rows)) throw manifestError(`table ${name} has no row count`);
    const arrow = isRecord(t.files) ? t.files.arrow : undefined;
    if (!isRecord(arrow)) throw manifestError(`table ${name} has no Arrow file`);
    if (typeof arrow.path !== 'string' || !FILE_NAME.test(arrow.path)) throw manifestError(`table ${name}'s Arrow file has no plain file name`);
    if (!isCount(arrow.bytes)) throw manifestError(`${arrow.path} has no size`);
    if (typeof arrow.sha256 !== 'string' || !SHA256.test(arrow.sha256)) throw manifestError(`${arrow.path} has no SHA-256 checksum`);
  }
  return json as unknown as Manifest;
}

const short = (hash: string) => `${hash.slice(0, 16)}…`;
const count = (n: number) => n.toLocaleString('en-GB');

/** Throw a DataFileError unless `bytes` are exactly the file the manifest describes. */
export async function verifyFile(file: PublishedFile, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength !== file.bytes) {
    throw new DataFileError(
      file.path,
      'size',
      `The data file ${file.path} is incomplete or damaged: it has ${count(bytes.byteLength)} bytes, the release manifest says ${count(file.bytes)}.`,
      file.bytes,
      bytes.byteLength
    );
  }
  const sha = await sha256Hex(bytes);
  if (sha !== file.sha256) {
    throw new DataFileError(
      file.path,
      'checksum',
      `The data file ${file.path} is not the published file: its SHA-256 checksum (${short(sha)}) differs from the one in the release manifest (${short(file.sha256)}).`,
      file.sha256,
      sha
    );
  }
}

/** Where verified Arrow IPC goes: DuckDB-WASM in the browser, its Node bundle in tests. */
export interface ArrowSink {
  /**
   * Create table `name` from Arrow IPC stream bytes. Each call must use a connection of its own:
   * DuckDB-WASM keeps a partly read IPC stream on the connection, so a stream that never ends
   * would make every later insert on that connection silently create nothing.
   */
  insert(name: string, ipc: Uint8Array): Promise<void>;
  count(name: string): Promise<number>;
  /** Remove table `name` if it exists (a failed load must leave nothing half-made behind). */
  drop(name: string): Promise<void>;
}

/**
 * Does `b` have an Arrow IPC stream's frame: a first message (continuation marker 0xFFFFFFFF and a
 * length) and the end-of-stream marker (0xFFFFFFFF 0x00000000) as its last eight bytes? A cheap
 * check, made before DuckDB sees the bytes, that turns "an HTML error page with a 200 status" and
 * "a file cut short" into a clear error on their own even when the manifest agrees with them.
 */
export function isArrowStream(b: Uint8Array): boolean {
  if (b.byteLength < 16) return false;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return v.getUint32(0) === 0xffffffff && v.getInt32(4, true) > 0 && v.getUint32(b.byteLength - 8) === 0xffffffff && v.getUint32(b.byteLength - 4) === 0;
}

/**
 * Fetch one table's Arrow file, check it against the manifest, load it, and check its row count.
 * On any failure the table is dropped, so a retry starts clean, and a DataFileError says why.
 */
export async function loadVerifiedTable(
  manifest: Manifest,
  name: string,
  fetchFile: (path: string) => Promise<Response>,
  sink: ArrowSink
): Promise<void> {
  const table = (manifest.tables as Partial<Record<string, ManifestTable>>)[name];
  const file = table?.files.arrow;
  if (!table || !file) throw manifestError(`it lists no Arrow file for table ${name}`);

  let bytes: Uint8Array;
  try {
    const res = await fetchFile(file.path);
    if (!res.ok) throw new DataFileError(file.path, 'unavailable', `The data file ${file.path} could not be downloaded (HTTP ${res.status}).`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(file.path, 'unavailable', `The data file ${file.path} could not be downloaded (${e instanceof Error ? e.message : String(e)}).`);
  }
  await verifyFile(file, bytes);

  if (!isArrowStream(bytes)) {
    throw new DataFileError(file.path, 'unreadable', `The data file ${file.path} could not be read as Arrow: it is not an Arrow IPC stream.`);
  }

  await sink.drop(name);
  let rows: number;
  try {
    await sink.insert(name, bytes);
    // Bytes that hold no Arrow record batch load as nothing at all, not as an error: the count is
    // what notices.
    rows = await sink.count(name);
  } catch (e) {
    await sink.drop(name).catch(() => {});
    const why = e instanceof Error ? e.message : String(e);
    throw new DataFileError(file.path, 'unreadable', `The data file ${file.path} could not be read as Arrow: ${why.split('\n')[0]!.slice(0, 200)}`);
  }
  if (rows !== table.rows) {
    await sink.drop(name);
    throw new DataFileError(
      file.path,
      'rows',
      `The data file ${file.path} has ${count(rows)} rows, the release manifest says ${count(table.rows)}.`,
      table.rows,
      rows
    );
  }
}
