// SvelteKit configuration: a fully static site (adapter-static); every page is prerendered.
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, precompress: false, strict: true }),
    prerender: { handleHttpError: 'fail', handleMissingId: 'fail' },
    // Content Security Policy: SvelteKit hashes its inline bootstrap script into a <meta> policy on
    // every prerendered page. Workers take their policy from response headers only, so the same
    // policy is also written to build/_headers (scripts/headers.ts) for static hosts, and
    // scripts/serve.ts sends it. 'wasm-unsafe-eval' is what DuckDB-WASM needs to compile its
    // module; 'unsafe-inline' for styles because Svelte writes style attributes (chart colours
    // as custom properties), which hashes cannot cover.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', 'wasm-unsafe-eval'],
        'worker-src': ['self'],
        'connect-src': ['self'],
        'img-src': ['self', 'data:'],
        'style-src': ['self', 'unsafe-inline'],
        'font-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self']
      }
    }
  }
};

export default config;
