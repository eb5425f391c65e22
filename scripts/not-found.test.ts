// scripts/not-found.ts: the not-found page's relative links made absolute, and nothing else touched.
import { describe, expect, it } from 'vitest';
import { absoluteLinks } from './not-found';

describe('absoluteLinks', () => {
  const page = '<link href="./_app/immutable/assets/0.css" rel="stylesheet"><a href="./">Home</a> <a href="./schools">Schools</a> <a href="#main">Skip</a> <img src="./favicon.png" alt="">';

  it('makes ./ links start from the site root, or from its base path', () => {
    expect(absoluteLinks(page, '')).toBe('<link href="/_app/immutable/assets/0.css" rel="stylesheet"><a href="/">Home</a> <a href="/schools">Schools</a> <a href="#main">Skip</a> <img src="/favicon.png" alt="">');
    expect(absoluteLinks(page, '/exclusions')).toContain('<a href="/exclusions/">Home</a> <a href="/exclusions/schools">');
  });

  it('leaves text that only looks like a link alone (as Svelte writes it, escaped)', () => {
    expect(absoluteLinks('<p>Write href=&quot;./x&quot; in a page.</p>', '')).toBe('<p>Write href=&quot;./x&quot; in a page.</p>');
  });

  it('refuses a relative link of a shape it does not fix, rather than publish a page that points nowhere', () => {
    expect(() => absoluteLinks('<a href="../schools">x</a>', '')).toThrow('404.html still has a relative link (href="../schools")');
    expect(() => absoluteLinks('<a href=".">x</a>', '')).toThrow('relative link');
  });
});
