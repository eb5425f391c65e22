/**
 * Disclosure control: the seam between the aggregated tables and anything published.
 *
 * The full rules (primary suppression of pupil counts 1-4, whole-group suppression below 10 pupils,
 * secondary suppression across every additive set to a fixed point, and an independent audit) are
 * issue #3. Until they exist this stage refuses to publish anything that is not synthetic, so no
 * real pupil's data can reach the site through a half-built pipeline.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DisclosureSummary } from '../lib/data/manifest';

export interface DisclosureConfig {
  /** Pupil counts from 1 to this minus one are suppressed (DESIGN.md default 5). */
  min_count: number;
  /** Groups with fewer pupils than this are suppressed whole (DESIGN.md default 10). */
  min_group: number;
}

export const DEFAULT_DISCLOSURE: DisclosureConfig = { min_count: 5, min_group: 10 };

export class DisclosureNotAvailable extends Error {}

export async function applyDisclosureControl(
  _conn: DuckDBConnection,
  config: DisclosureConfig,
  opts: { synthetic: boolean }
): Promise<DisclosureSummary> {
  if (!opts.synthetic) {
    throw new DisclosureNotAvailable(
      'This extract is not marked synthetic, and disclosure control is not built yet: refusing to publish real pupil data. Nothing was written.'
    );
  }
  return {
    applied: false,
    rules: ['none: synthetic demonstration data about fictional pupils; no real person can be identified'],
    thresholds: { ...config },
    cells_published: 0,
    cells_suppressed: {}
  };
}
