// Vite configuration for the site and for Vitest (unit tests sit next to the code they test).
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [sveltekit()],
  // DuckDB-WASM ships prebuilt ESM and loads its own worker; pre-bundling it breaks the worker URL.
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
  // Native DuckDB is a Node addon used only at prerender time; never bundle it.
  ssr: { external: ['@duckdb/node-api'] },
  build: { target: 'es2022' },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file may open DuckDB instances; two cores, so keep parallelism modest.
    maxWorkers: 2
  }
});
