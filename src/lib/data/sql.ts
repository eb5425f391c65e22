/**
 * A tiny tagged-template SQL builder: the only way query functions build SQL.
 *
 * Why: user values (a year picked in a filter, a URN typed in a search box) must never be pasted
 * into SQL text. Every `${value}` in a `sql` template becomes a positional `?` parameter, arrays
 * expand to `?, ?, ?`, and the only text that can be spliced in is another `Sql` fragment or an
 * identifier from a closed list (`ident`), so an injection needs a bug in this file, not a typo in
 * a page. Both engines (DuckDB-WASM prepared statements and @duckdb/node-api) take `?` parameters.
 */

export type Param = string | number | boolean | null;

export interface Sql {
  readonly text: string;
  readonly params: readonly Param[];
}

const SQL_BRAND = Symbol('sql');
type Fragment = Sql & { readonly [SQL_BRAND]: true };

function fragment(text: string, params: readonly Param[]): Fragment {
  return { text, params, [SQL_BRAND]: true };
}

function isFragment(v: unknown): v is Fragment {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[SQL_BRAND] === true;
}

function isParam(v: unknown): v is Param {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

export type Interpolation = Param | readonly Param[] | Sql;

export function sql(strings: TemplateStringsArray, ...values: Interpolation[]): Sql {
  let text = strings[0] ?? '';
  const params: Param[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.text;
      params.push(...value.params);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new Error('sql: an empty list cannot be a parameter (IN () is not valid SQL)');
      for (const v of value) {
        if (!isParam(v)) throw new Error(`sql: list item of type ${typeof v} cannot be a parameter`);
      }
      text += value.map(() => '?').join(', ');
      params.push(...(value as Param[]));
    } else if (isParam(value)) {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('sql: a parameter must be a finite number');
      text += '?';
      params.push(value);
    } else {
      throw new Error(`sql: cannot interpolate a value of type ${typeof value}`);
    }
    text += strings[i + 1] ?? '';
  });
  return fragment(text, params);
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * An identifier (column or table name) chosen from a closed list the caller owns. The allow-list is
 * required so that a caller cannot forward a user's string here by accident.
 */
export function ident<const T extends string>(name: T, allowed: readonly T[]): Sql {
  if (!allowed.includes(name) || !IDENT.test(name)) throw new Error(`sql: identifier "${name}" is not allowed`);
  return fragment(`"${name}"`, []);
}

/** Join fragments with a separator (for optional WHERE clauses). */
export function join(parts: readonly Sql[], separator: string): Sql {
  if (!/^[\s,]*(AND|OR|,)?[\s,]*$/i.test(separator)) throw new Error('sql: separator must be AND, OR or a comma');
  return fragment(parts.map((p) => p.text).join(separator), parts.flatMap((p) => [...p.params]));
}

/** Raw text that is a compile-time constant in our own code (never user input). */
export function raw(text: string): Sql {
  return fragment(text, []);
}
