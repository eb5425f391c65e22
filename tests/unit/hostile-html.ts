/**
 * Checks that server-rendered HTML shows hostile strings as text, for the unit tests of components
 * and pages (src/lib/ui/hostile-text.test.ts, src/lib/charts/hostile-text.test.ts).
 *
 * Without an HTML parser in the project, a render is compared with a render of harmless strings of
 * the same shape: the two must have the same skeleton (every tag and every attribute name, in
 * order), so no hostile string added an element or an attribute (an `onerror`, a `<script>`);
 * and the hostile string must be there once text and attribute values are decoded, so it was
 * shown rather than dropped or mangled. The end-to-end tests check the same in Chromium's
 * own parser (tests/e2e/hostile-text.spec.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const fixture = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/hostile-text.json'), 'utf8')) as {
  strings: string[];
  combined: string;
};

export const HOSTILE: readonly string[] = fixture.strings;
export const COMBINED: string = fixture.combined;

/**
 * A harmless stand-in for `s`, of the same length, that files and sorts the same way where the
 * first character matters (a letter stays a letter, anything else stays a symbol).
 */
export function harmless(s: string): string {
  const first = /^[A-Za-z]/.test(s) ? s[0]! : '#';
  return first + 'x'.repeat(Math.max(0, [...s].length - 1));
}

interface Parsed {
  /** Every tag and attribute name, in order. */
  skeleton: string[];
  /** Text between tags, still encoded. */
  texts: string[];
  /** Attribute values, still encoded. */
  values: string[];
}

/**
 * Split server-rendered HTML into tags, attribute names, attribute values and text. Enough for
 * Svelte's output, which always quotes attribute values with `"` and escapes `"` in them, and
 * escapes `<` in text and attributes: outside a comment, a `<` always starts a tag.
 */
export function parse(html: string): Parsed {
  const out: Parsed = { skeleton: [], texts: [], values: [] };
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.texts.push(html.slice(i));
      break;
    }
    out.texts.push(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    let j = lt + 1;
    const name = /^\/?[A-Za-z][\w:-]*/.exec(html.slice(j))?.[0];
    if (!name) throw new Error(`a "<" that starts no tag at ${lt}: ${html.slice(lt, lt + 40)}`);
    out.skeleton.push(`<${name}`);
    j += name.length;
    for (;;) {
      while (/\s/.test(html[j] ?? '')) j++;
      if (html[j] === '>') {
        j++;
        break;
      }
      if (html.startsWith('/>', j)) {
        j += 2;
        break;
      }
      const attr = /^[^\s=>/]+/.exec(html.slice(j))?.[0];
      if (!attr) throw new Error(`unreadable tag at ${lt}: ${html.slice(lt, j + 20)}`);
      out.skeleton.push(attr);
      j += attr.length;
      if (html[j] === '=') {
        j++;
        if (html[j] !== '"') throw new Error(`unquoted attribute value at ${j}`);
        const end = html.indexOf('"', j + 1);
        out.values.push(html.slice(j + 1, end));
        j = end + 1;
      }
    }
    i = j;
  }
  return out;
}

/**
 * A skeleton without the lines a chart wraps a label onto (`<tspan x dy>`): how many lines a
 * label takes depends on the width of its characters, so a hostile string and its harmless
 * stand-in may wrap differently. Only those three names go: anything else on a tspan (an `on...`
 * attribute, say) stays for the comparison to find.
 */
export function withoutLines(skeleton: readonly string[]): string[] {
  const out: string[] = [];
  let inTspan = false;
  for (const t of skeleton) {
    if (t === '<tspan' || t === '</tspan') {
      inTspan = t === '<tspan';
      continue;
    }
    if (t.startsWith('<')) inTspan = false;
    else if (inTspan && (t === 'x' || t === 'dy')) continue;
    out.push(t);
  }
  return out;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decode the character references an HTML serialiser writes. */
export function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Everything a reader or a screen reader gets from the HTML: its text and attribute values, decoded. */
export function shown(html: string): string {
  const p = parse(html);
  // Text is joined without a break: Svelte's hydration comments can sit inside a run of text.
  return [p.texts.map(decode).join(''), ...p.values.map(decode)].join('\n');
}
