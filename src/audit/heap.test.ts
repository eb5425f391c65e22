// The audit's heap: when a release needs more than V8's default limit, and how much to ask for.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderBytes, heapTarget, HEAP_PER_RELEASE_BYTE } from './heap';

const MB = 1024 * 1024;
const GB = 1024 * MB;

describe('heapTarget', () => {
  it('keeps the default heap for a release that fits in it (a local authority’s)', () => {
    expect(heapTarget(40 * MB, 4 * GB, 24 * GB)).toBeNull();
  });
  it('asks for three quarters of the machine for a national release', () => {
    expect(heapTarget(3.3 * GB, 4 * GB, 24 * GB)).toBe(18 * 1024);
    expect(3.3 * GB * HEAP_PER_RELEASE_BYTE).toBeGreaterThan(4 * GB);
  });
  it('does not ask again when the heap is already as large as the machine can give', () => {
    expect(heapTarget(3.3 * GB, 18 * GB, 24 * GB)).toBeNull();
    expect(heapTarget(3.3 * GB, 4 * GB, 4 * GB)).toBeNull();
  });
});

describe('folderBytes', () => {
  it('adds up every file below a folder, and is 0 for one that is not there', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heap-'));
    try {
      writeFileSync(path.join(dir, 'a.csv'), 'x'.repeat(1000));
      mkdirSync(path.join(dir, 'sub'));
      writeFileSync(path.join(dir, 'sub', 'b.arrow'), Buffer.alloc(234));
      expect(folderBytes(dir)).toBe(1234);
      expect(folderBytes(path.join(dir, 'missing'))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
