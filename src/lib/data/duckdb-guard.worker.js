// The Web Worker the dashboard starts for DuckDB-WASM: DuckDB's own worker script, loaded by
// importScripts, plus one guard. DuckDB-WASM 1.32 compiles its wasm with a promise it never
// catches, so a wasm file that is corrupt, served with the wrong MIME type or refused by the
// Content Security Policy leaves `instantiate()` waiting for ever. Rethrown from a timer, the
// rejection becomes an ordinary worker error, which the page's "error" listener turns into a clear
// message at once (wasm-client.ts). This file is the worker's top-level script, so its response
// headers set the worker's CSP (scripts/headers.ts gives it 'wasm-unsafe-eval').
'use strict';

self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  const reason = event.reason;
  setTimeout(() => {
    throw reason instanceof Error ? reason : new Error(String(reason));
  });
});

// The engine script is named by the page (?engine=...); only a same-origin script is accepted (the
// worker's CSP says the same).
const engine = new URL(new URL(self.location.href).searchParams.get('engine') ?? '', self.location.href);
if (engine.origin !== self.location.origin) throw new Error(`DuckDB worker script not on this site: ${engine.href}`);
importScripts(engine.href);
