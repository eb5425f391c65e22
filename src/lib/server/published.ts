/**
 * Build-time access to the published release, for prerendering: the manifest and a native DuckDB
 * holding the published tables. Server-only (`$lib/server`), so it can never reach the browser.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { NodeDb } from '$lib/data/node-client';
import type { Manifest } from '$lib/data/manifest';

/** Where `npm run data` publishes by default; the site serves it as /data. */
export const PUBLISHED_DIR = path.resolve(process.env.PUBLISHED_DIR ?? 'static/data');

export function readManifest(): Manifest {
  const file = path.join(PUBLISHED_DIR, 'manifest.json');
  if (!existsSync(file)) throw new Error(`No published data at ${PUBLISHED_DIR}: run \`npm run data\` before building the site.`);
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

let db: Promise<NodeDb> | null = null;

/** One database for the whole prerender, opened on first use. */
export function publishedDb(): Promise<NodeDb> {
  db ??= NodeDb.fromPublished(PUBLISHED_DIR);
  return db;
}
