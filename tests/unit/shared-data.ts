/**
 * Where DfE's real files live for tests (never copied into the repository), and the rule for when
 * they are absent: skip with a message saying so, except in CI with ../shared present
 * (REQUIRE_SHARED_DATA=1), where a missing file is a failure rather than a silent skip.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DFE_DIR = path.resolve(process.env.DFE_DATA_DIR ?? '../shared/data/dfe');

export function dfeFile(name: string): string | null {
  const file = path.join(DFE_DIR, name);
  if (existsSync(file)) return file;
  if (process.env.REQUIRE_SHARED_DATA === '1') throw new Error(`REQUIRE_SHARED_DATA=1 but ${file} is missing`);
  console.warn(`skipping: DfE file ${file} is not here (tests that read DfE's real files need ../shared/data/dfe)`);
  return null;
}
