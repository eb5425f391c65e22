/**
 * A JSON reader that remembers where each value was, for files people edit by hand (data/events.json,
 * data/site.json, the pipeline's config and an extract's extract.json): a mistake is reported at its
 * line and column, whether it is a syntax error (JsonSyntaxError) or a wrong value (each JsonNode
 * has its position). JSON.parse gives neither on Node 20. Pure: no file access.
 */

/** A JSON value and where it starts (1-based line and column). */
export type JsonNode =
  | { kind: 'object'; entries: Map<string, JsonNode>; line: number; col: number }
  | { kind: 'array'; items: JsonNode[]; line: number; col: number }
  | { kind: 'string'; value: string; line: number; col: number }
  | { kind: 'number'; value: number; line: number; col: number }
  | { kind: 'boolean' | 'null'; value: boolean | null; line: number; col: number };
type Node = JsonNode;

/** `file, line L, column C`: how a hand-edited file's messages say where (events.json, site.json). */
export function placeIn(file: string, at: { line: number; col: number }): string {
  return `${file}, line ${at.line}, column ${at.col}`;
}

/** Where the text stops being JSON (1-based line and column, of the character at fault), and why. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly col: number,
    /** Index of the character at fault in the text (its length when the text ends too soon). */
    readonly index: number,
    readonly reason: string
  ) {
    super(`line ${line}, column ${col}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Parse JSON, keeping each value's position; throws a JsonSyntaxError at the first character that
 * is wrong. Stricter than JSON.parse in one way: a key that appears twice in an object is an error
 * (JSON.parse keeps the last, silently; in a hand-edited file that hides a mistake). Kinder in
 * another: a leading byte order mark is skipped (JSON.parse fails on it).
 */
export function parseJsonNodes(text: string): JsonNode {
  // A byte order mark (what Windows editors put first) is not part of the JSON, nor a column.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const here = () => ({ line, col: i - lineStart + 1, index: i });
  const fail = (msg: string, at = here()): never => {
    throw new JsonSyntaxError(at.line, at.col, at.index, msg);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) {
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
      i++;
    }
  };
  const value = (): Node => {
    ws();
    const { line: l, col } = here();
    const at = { line: l, col };
    const c = text[i];
    if (c === '{') {
      i++;
      const entries = new Map<string, Node>();
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', entries, ...at };
      }
      for (;;) {
        ws();
        const keyAt = here();
        if (text[i] !== '"') fail('expected a key in double quotes');
        const key = str();
        if (entries.has(key)) fail(`the key "${key}" appears twice`, keyAt);
        ws();
        if (text[i] !== ':') fail('expected ":" after a key');
        i++;
        entries.set(key, value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { kind: 'object', entries, ...at };
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items, ...at };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { kind: 'array', items, ...at };
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: 'string', value: str(), ...at };
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'number', value: Number(num[0]), ...at };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v === null ? { kind: 'null', value: null, ...at } : { kind: 'boolean', value: v, ...at };
      }
    }
    return fail(i >= text.length ? 'the file ends where a value was expected' : `unexpected ${JSON.stringify(c)}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\n') fail('a string cannot contain a line break');
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail('a string is not closed');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('a string has an invalid escape', { line, col: start - lineStart + 1, index: start });
    }
  };
  const root = value();
  ws();
  if (i < text.length) fail('unexpected text after the end of the JSON');
  return root;
}

/** The plain JavaScript value of a node, as JSON.parse would give it. */
export function jsonValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries([...node.entries].map(([k, v]) => [k, jsonValue(v)]));
    case 'array':
      return node.items.map(jsonValue);
    default:
      return node.value;
  }
}

/**
 * The node at a path written the way error messages name keys (`contact.email`,
 * `corrections[0].date`), or the deepest node on the way there when the rest is missing, so a
 * message about a missing or wrong key can still point at the object that should hold it.
 */
export function nodeAt(root: JsonNode, keyPath: string): JsonNode {
  let node = root;
  for (const [, key, index] of keyPath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    const next = key !== undefined ? (node.kind === 'object' ? node.entries.get(key) : undefined) : node.kind === 'array' ? node.items[Number(index)] : undefined;
    if (!next) return node;
    node = next;
  }
  return node;
}
