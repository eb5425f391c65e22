// SvelteKit configuration: a fully static site (adapter-static); every page is prerendered.
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * Where the site is hosted: '' at a domain's root, or a sub-path such as '/exclusions' when a
 * council puts it inside its own website (or a GitHub Pages project site). Every link, data file
 * and engine file is then asked for under that path. Read from BASE_PATH at build time; a trailing
 * slash is dropped, and anything else SvelteKit would refuse is refused here in words.
 */
export function basePath(value = process.env.BASE_PATH ?? '') {
  const base = value.trim().replace(/\/+$/, '');
  if (base === '') return '';
  // (A part of only dots, /. or /.., would name another folder than the one it spells.)
  if (!/^(\/(?!\.+(\/|$))[A-Za-z0-9._~-]+)+$/.test(base)) {
    throw new Error(
      `BASE_PATH must be empty (the site at a domain's root) or a path such as /exclusions or /council/exclusions (letters, digits, '.', '_', '~' and '-' between slashes, not dots alone), not "${value}".`
    );
  }
  return base;
}

/** Where the built site is written: build/ unless BUILD_DIR says otherwise. */
const out = process.env.BUILD_DIR ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    paths: { base: basePath() },
    adapter: adapter({ pages: out, assets: out, fallback: undefined, precompress: false, strict: true }),
    prerender: {
      // Nothing links to the not-found page: it is what a host serves for a missing address.
      entries: ['*', '/404'],
      handleHttpError: 'fail',
      handleMissingId: 'fail',
      // The scale switch (src/lib/ui/school-pages.ts): with a national release the per-school route
      // prerenders no page and every link goes to the /schools/school shell instead. That one route
      // may go unseen; any other unseen route is still a build failure.
      handleUnseenRoutes: ({ routes }) => {
        const others = routes.filter((r) => r !== '/schools/[urn]');
        if (others.length > 0) throw new Error(`Routes marked prerenderable were not prerendered: ${others.join(', ')}`);
      }
    },
    // Content Security Policy: SvelteKit hashes its inline bootstrap script into a <meta> policy on
    // every prerendered page, so no inline script runs without a hash. Every source is the site's
    // own origin. Not here, on purpose: 'wasm-unsafe-eval'. DuckDB-WASM compiles its engine inside
    // its Web Worker, and a worker takes its policy from its own response headers, never from the
    // page, so only the worker script gets it (scripts/headers.ts writes build/_headers, which
    // static hosts and scripts/serve.ts apply). No page compiles WebAssembly, so none may.
    // Styles: style sheets and <style> elements only from the site itself; inline style
    // attributes are allowed ('unsafe-inline' in style-src-attr only) because Svelte writes them
    // (the chart colours, as custom properties, and app.html's wrapper), and hashes cannot cover
    // attributes. A browser without style-src-attr falls back to style-src and draws the charts
    // without their colours, which still reads (every series has a marker and a direct label).
    // Images: the site's own, and blob: URLs, which only the page itself can make: saving a chart
    // as PNG draws the page's own SVG, turned into a blob, onto a canvas (src/lib/ui/downloads.ts).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'worker-src': ['self'],
        'connect-src': ['self'],
        'img-src': ['self', 'blob:'],
        'style-src': ['self'],
        'style-src-attr': ['unsafe-inline'],
        'font-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self']
      }
    }
  }
};

export default config;
