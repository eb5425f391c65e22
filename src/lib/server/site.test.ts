// data/site.json is edited by hand: the real file must parse, and a mistake must stop the build
// with a message naming the key, not publish "undefined" on a public page.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSiteFacts, readSiteFacts } from './site';

const good = {
  publisher: 'Testshire Council',
  contact: { email: 'data@example.org', team: 'Data Team' },
  next_update: '2027-07-31',
  update_frequency: 'Once a year',
  corrections: [
    { date: '2026-01-10', summary: 'First' },
    { date: '2026-03-02', summary: 'Second' }
  ],
  accessibility: { prepared: '2026-01-01', last_reviewed: '2026-02-01', last_tested: '2026-02-01', response_working_days: 10 }
};

describe('site facts', () => {
  it('reads the real data/site.json', () => {
    const site = readSiteFacts();
    expect(site.publisher).not.toBe('');
    expect(site.contact.email).toMatch(/@/);
  });

  it('lists corrections newest first', () => {
    expect(parseSiteFacts(good).corrections.map((c) => c.summary)).toEqual(['Second', 'First']);
  });

  it('names the key that is wrong', () => {
    expect(() => parseSiteFacts({ ...good, next_update: '31/07/2027' })).toThrow(/"next_update" must be a date written YYYY-MM-DD/);
    expect(() => parseSiteFacts({ ...good, contact: { email: 'nobody', team: 'x' } })).toThrow(/"contact.email" must be an email address/);
    expect(() => parseSiteFacts({ ...good, corrections: [{ date: '2026-02-30', summary: 'x' }] })).toThrow(/"corrections\[0\]\.date"/);
    expect(() => parseSiteFacts({ ...good, corrections: [{ date: '2026-02-28', summary: ' ' }] })).toThrow(/"corrections\[0\]\.summary"/);
    expect(() => parseSiteFacts({ ...good, publisher: undefined })).toThrow(/"publisher" must be a non-empty string/);
    expect(() =>
      parseSiteFacts({ ...good, accessibility: { ...good.accessibility, response_working_days: 'ten' } })
    ).toThrow(/"accessibility.response_working_days"/);
  });

  it('reading the file, names the line and column of a wrong value, a missing one, a key given twice and a syntax error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'site-'));
    const file = path.join(dir, 'site.json');
    const read = (text: string) => {
      writeFileSync(file, text);
      return () => readSiteFacts(file);
    };
    try {
      const lines = JSON.stringify(good, null, 2).split('\n');
      const at = (key: string) => lines.findIndex((l) => l.includes(`"${key}"`)) + 1;
      expect(read(JSON.stringify({ ...good, next_update: '31/07/2027' }, null, 2))).toThrow(`${file}, line ${at('next_update')}, column 18: "next_update" must be a date written YYYY-MM-DD`);
      const { publisher: _, ...noPublisher } = good;
      void _;
      expect(read(JSON.stringify(noPublisher, null, 2))).toThrow(`${file}, line 1, column 1: "publisher" must be a non-empty string`);
      expect(read('{\n  "publisher": "A",\n  "publisher": "B"\n}')).toThrow(`${file}, line 3, column 3: the key "publisher" appears twice`);
      expect(read('{\n  "publisher": "A",\n}')).toThrow(`${file}, line 3, column 1: expected a key in double quotes`);
      expect(() => readSiteFacts(path.join(dir, 'none.json'))).toThrow(`${path.join(dir, 'none.json')}: cannot be read (ENOENT`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
