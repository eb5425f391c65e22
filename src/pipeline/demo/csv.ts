/**
 * Minimal CSV writing for the demo extract, in exactly the dialect data/SCHEMA.md promises:
 * UTF-8 without a byte order mark, `\n` line ends, header first, a field quoted only when it
 * contains a comma, a quote or a line break (quotes doubled). The pupil file has close to a
 * million rows, so rows are gathered into chunks of a few megabytes and written in order rather
 * than built as one giant string.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { csvField } from '../../lib/data/csv';

export { csvField };

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvField).join(',') + '\n';
}

const CHUNK_CHARS = 4 * 1024 * 1024;

/** Appends lines to a file, flushing in large chunks. Call close() to finish. */
export class CsvWriter {
  private parts: string[] = [];
  private size = 0;
  rows = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string, header: readonly string[]): Promise<CsvWriter> {
    const w = new CsvWriter(await open(path, 'w'));
    w.parts.push(csvLine(header));
    return w;
  }

  /** Add one data row (already formatted with csvLine). */
  async line(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    this.rows++;
    if (this.size >= CHUNK_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    await this.handle.write(this.parts.join(''), null, 'utf8');
    this.parts = [];
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}
