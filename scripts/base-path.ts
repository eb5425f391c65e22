/**
 * The base path the site is built for (svelte.config.js `kit.paths.base`: '' at a domain's root,
 * or a sub-path such as /exclusions, from BASE_PATH), for the build's after-steps and the server,
 * which must agree with the pages on where the site lives. Read from the config itself so that the
 * rules (trailing slash dropped, bad values refused) are written once.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type SvelteConfig = { default: { kit?: { paths?: { base?: string } } }; basePath: (value?: string) => string };

async function config(): Promise<SvelteConfig> {
  return (await import(pathToFileURL(path.resolve('svelte.config.js')).href)) as SvelteConfig;
}

/** The base the build uses (BASE_PATH as svelte.config.js reads it). */
export async function configuredBase(): Promise<string> {
  return (await config()).default.kit?.paths?.base ?? '';
}

/** A base given by hand (serve.ts --base), checked and tidied by the same rules as BASE_PATH. */
export async function checkedBase(value: string): Promise<string> {
  return (await config()).basePath(value);
}
