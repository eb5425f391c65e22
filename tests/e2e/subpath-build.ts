// Where the sub-path build lives and is served (`npm run build:subpath`, package.json): shared by
// playwright.config.ts, which serves it, and subpath.spec.ts, which tests it.
export const SUBPATH = {
  dir: '.cache/build-subpath',
  base: '/exclusions',
  port: Number(process.env.E2E_SUBPATH_PORT ?? 4322)
} as const;
