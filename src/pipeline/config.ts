/**
 * The pipeline's configuration file (`data/pipeline.config.json` by default): disclosure
 * thresholds and the statistical-neighbour list. Read strictly: an unknown key or a wrong type is an
 * error naming the key, because a typo in a threshold must not silently publish with the default.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_DISCLOSURE, type DisclosureConfig } from './disclosure';
import { InputError, parseJsonFile, unreadable } from './errors';

export interface PipelineConfig {
  disclosure: DisclosureConfig;
  /** Area codes of the statistical neighbours to publish; null publishes every neighbour in the comparator file. */
  statistical_neighbours: string[] | null;
  /**
   * Builds from DfE's published files only: true publishes DfE's figures as DfE published them,
   * under DfE's own suppression, instead of putting them through this pipeline's disclosure control.
   */
  dfe_pass_through: boolean;
}

export const DEFAULT_CONFIG: PipelineConfig = { disclosure: DEFAULT_DISCLOSURE, statistical_neighbours: null, dfe_pass_through: false };

export function readConfig(file: string | undefined): PipelineConfig {
  if (!file) return DEFAULT_CONFIG;
  const name = file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError([{ file: name, line: 0, column: '', value: unreadable(e), expected: 'a readable JSON file' }]);
  }
  const { value: parsed, lineOf } = parseJsonFile(text, name);
  // The key path stands in the column's place; the line is its value's (or its object's, when missing).
  const fail = (column: string, value: unknown, expected: string): never => {
    throw new InputError([{ file: name, line: lineOf(column), column, value: JSON.stringify(value) ?? 'undefined', expected }]);
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('', parsed, 'a JSON object');
  const obj = parsed as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!(k in DEFAULT_CONFIG)) fail(k, obj[k], `one of the keys ${Object.keys(DEFAULT_CONFIG).join(', ')}`);

  const disclosure = { ...DEFAULT_DISCLOSURE };
  if (obj.disclosure !== undefined) {
    const d = obj.disclosure as Record<string, unknown>;
    if (typeof d !== 'object' || d === null) fail('disclosure', d, 'an object');
    for (const [k, v] of Object.entries(d)) {
      if (!(k in DEFAULT_DISCLOSURE)) fail(`disclosure.${k}`, v, `one of ${Object.keys(DEFAULT_DISCLOSURE).join(', ')}`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000) fail(`disclosure.${k}`, v, 'a whole number from 1 to 1000');
      disclosure[k as keyof DisclosureConfig] = v as number;
    }
  }
  let neighbours: string[] | null = null;
  if (obj.statistical_neighbours !== undefined && obj.statistical_neighbours !== null) {
    const n = obj.statistical_neighbours;
    if (!Array.isArray(n) || !n.every((x) => typeof x === 'string' && /^[A-Za-z0-9]{1,12}$/.test(x))) {
      fail('statistical_neighbours', n, 'null or a list of area codes');
    }
    neighbours = n as string[];
  }
  if (obj.dfe_pass_through !== undefined && typeof obj.dfe_pass_through !== 'boolean') fail('dfe_pass_through', obj.dfe_pass_through, 'true or false');
  return { disclosure, statistical_neighbours: neighbours, dfe_pass_through: obj.dfe_pass_through === true };
}
