// The explorer's query in the address: in the fragment, read back exactly, and left out (not cut)
// when it is too long to keep there.
import { describe, expect, test } from 'vitest';
import { addressFor, encodedQuery, MAX_ADDRESS_CHARS, queryInAddress } from './address';

const at = (href: string) => new URL(href, 'http://localhost');

describe('the query in the address', () => {
  test('round-trips through the fragment, whatever it holds', () => {
    const queries = [
      'SELECT 1',
      "SELECT name, phase FROM schools\nWHERE name LIKE '%St Mary''s%' AND urn <> 0\n-- a comment: 50% & more #2\nORDER BY 1",
      'SELECT \'Ørsted = 1 + 1\' AS "a+b", \'😀\' AS emoji\t-- tab',
      '  SELECT 1  '
    ];
    for (const sql of queries) {
      const { href, kept } = addressFor(at('/explore'), sql);
      expect(kept).toBe(true);
      expect(href.startsWith('/explore#q=')).toBe(true);
      expect(queryInAddress(at(href))).toBe(sql);
    }
  });

  test('keeps the rest of the query string, takes q out of it, and keeps a base path', () => {
    expect(addressFor(at('/exclusions/explore?q=old&x=1#q=older'), 'SELECT 2')).toEqual({ href: '/exclusions/explore?x=1#q=SELECT+2', kept: true });
    expect(addressFor(at('/explore?q=SELECT+1'), 'SELECT 1')).toEqual({ href: '/explore#q=SELECT+1', kept: true });
  });

  test('reads a link written with ?q= too, the fragment first', () => {
    expect(queryInAddress(at('/explore?q=SELECT+1'))).toBe('SELECT 1');
    expect(queryInAddress(at('/explore?q=SELECT+1#q=SELECT+2'))).toBe('SELECT 2');
    expect(queryInAddress(at('/explore'))).toBeNull();
    expect(queryInAddress(at('/explore#schema-title'))).toBeNull();
  });

  test('an empty query leaves the address without one', () => {
    expect(addressFor(at('/explore#q=SELECT+1'), '')).toEqual({ href: '/explore', kept: false });
  });

  test('a query too long for the address is left out whole, never cut, and takes the old one out', () => {
    const fits = `SELECT ${'1+'.repeat(1000)}1`;
    expect(encodedQuery(fits).length).toBeLessThanOrEqual(MAX_ADDRESS_CHARS);
    expect(addressFor(at('/explore'), fits).kept).toBe(true);
    // Every character of this one takes three in the address (%2C), so it passes the limit well
    // before its own length does.
    const long = `SELECT ${','.repeat(MAX_ADDRESS_CHARS / 3)} 1`;
    expect(long.length).toBeLessThan(MAX_ADDRESS_CHARS);
    expect(addressFor(at('/explore#q=SELECT+1'), long)).toEqual({ href: '/explore', kept: false });
  });
});
