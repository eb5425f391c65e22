// data/SCHEMA.md is the data contract people read; schema.ts is the one the code uses. This keeps
// them from drifting apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TABLES } from './schema';

const doc = readFileSync('data/SCHEMA.md', 'utf8');

describe('data/SCHEMA.md', () => {
  for (const t of Object.values(TABLES)) {
    it(`documents every column of ${t.name}`, () => {
      expect(doc).toContain(`### \`${t.name}\``);
      const section = doc.slice(doc.indexOf(`### \`${t.name}\``));
      const body = section.slice(0, section.indexOf('\n### ', 5) === -1 ? undefined : section.indexOf('\n### ', 5));
      const missing = t.columns.filter((c) => !body.includes(`\`${c.name}\``) && !(c.name.endsWith('_flag') && body.includes('_flag')));
      expect(missing.map((c) => c.name)).toEqual([]);
    });
  }
});
