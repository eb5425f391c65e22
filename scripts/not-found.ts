/**
 * Makes build/404.html (src/routes/404) work at any address. Static hosts (and scripts/serve.ts)
 * serve it for every address they have no file for, such as /schools/123456/old, but SvelteKit
 * writes its links relative to /404 (`./schools`, `./_app/...`), which from that address would point
 * at /schools/123456/schools and leave the page without its styles. Here they become absolute,
 * from the site's base path (svelte.config.js `kit.paths.base`, '' at a domain's root). The page
 * runs no JavaScript, so its links and its style sheet are all there is to fix.
 *
 *   tsx scripts/not-found.ts [DIR, else $BUILD_DIR, else build]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configuredBase } from './base-path';

/** `href="./x"` and `src="./x"` made `${base}/x`; throws if a relative link of another shape is left. */
export function absoluteLinks(html: string, base: string): string {
  const out = html.replace(/(\s(?:href|src)=")\.\/(?=[^"]*")/g, `$1${base}/`);
  const left = /\s(?:href|src|srcset|action)="\.{1,2}(?:\/[^"]*)?"/.exec(out);
  if (left) throw new Error(`404.html still has a relative link (${left[0].trim()}): scripts/not-found.ts does not know its shape`);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? process.env.BUILD_DIR ?? 'build';
  const file = path.join(dir, '404.html');
  if (!existsSync(file)) {
    console.error(`No ${file}: run vite build first (src/routes/404 makes it).`);
    process.exit(1);
  }
  writeFileSync(file, absoluteLinks(readFileSync(file, 'utf8'), await configuredBase()));
}
