// SvelteKit configuration: a fully static site (adapter-static); every page is prerendered.
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, precompress: false, strict: true }),
    prerender: { handleHttpError: 'fail', handleMissingId: 'fail' }
  }
};

export default config;
