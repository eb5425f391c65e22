import { describe, expect, it } from 'vitest';
import { csvField, dataDictionary, dataDictionaryCsv } from './dictionary';
import { TABLES } from './schema';

describe('data dictionary', () => {
  it('has one row per published column', () => {
    const rows = dataDictionary();
    expect(rows.length).toBe(Object.values(TABLES).reduce((n, t) => n + t.columns.length, 0));
    expect(rows).toContainEqual({ table: 'school_year', column: 'pupils_flag', type: 'VARCHAR', description: expect.stringContaining('c, x, z or low') });
  });
  it('quotes and neutralises CSV fields', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-1 or so')).toBe("'-1 or so");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(dataDictionaryCsv().split('\n')[0]).toBe('table,column,type,description');
  });
});
