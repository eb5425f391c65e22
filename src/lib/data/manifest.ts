/**
 * `manifest.json`: what a published release contains. Written by the pipeline, read by the site
 * (footer label, which files to load, checksums) and by people who download the data.
 */
import type { TableName } from './schema';

export interface PublishedFile {
  /** Path relative to the published folder. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ManifestTable {
  rows: number;
  description: string;
  files: { arrow: PublishedFile; parquet: PublishedFile; csv: PublishedFile };
}

export interface ManifestSource {
  name: string;
  kind: 'council extract' | 'synthetic demo extract' | 'synthetic comparators' | 'DfE open data';
  files: { path: string; sha256: string; rows: number }[];
  /** The disclosure rule this source's figures were published under. */
  published_under: string;
  /**
   * Which rule, as a code the audit checks by: `pipeline` (this pipeline's disclosure control,
   * data/DISCLOSURE.md) or `dfe-published` (DfE's figures passed through under DfE's own
   * suppression). Releases written before it are `pipeline`.
   */
  rule?: 'pipeline' | 'dfe-published';
  /** What the file is, for a DfE source (school-exclusions, area-exclusions, census-sen, ...). */
  format?: string;
  encoding?: string;
}

export interface DisclosureSummary {
  /** False only while disclosure control has not been applied (never for a council's real data). */
  applied: boolean;
  /** `pipeline` (the default) or `dfe-published`: DfE's figures published under DfE's own suppression. */
  mode?: 'pipeline' | 'dfe-published';
  rules: string[];
  thresholds: Record<string, number>;
  cells_published: number;
  cells_suppressed: Record<string, number>;
}

export interface Manifest {
  schema_version: number;
  release: string;
  generated_at: string;
  synthetic: boolean;
  /** Shown wherever the data appears (footer, downloads); says SYNTHETIC for the demo. */
  label: string;
  la: { code: string; name: string; region: string };
  neighbours: { code: string; name: string }[];
  years: string[];
  latest_year: string;
  tables: Record<TableName, ManifestTable>;
  sources: ManifestSource[];
  disclosure: DisclosureSummary;
}
