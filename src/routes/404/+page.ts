// The page a static host serves for any address it has no file for (build/404.html; scripts/serve.ts
// does the same). It is served at that other address, so it runs no JavaScript: the app would try
// to route the address it finds itself at. scripts/not-found.ts makes its links absolute.
export const csr = false;
