/**
 * The scale switch for school pages: where a school's page lives, decided once per release.
 *
 * Why a switch: at the scale of one local authority (a few hundred schools) every school page is
 * prerendered at build time, so it works with JavaScript off and shows its first chart at once.
 * A national release has about 22,000 schools; writing 22,000 pages would make the build take
 * hours and the site gigabytes, so above the threshold the build writes one prerendered shell,
 * `/schools/school?urn=...`, that reads the URN from the address and fills itself from
 * DuckDB-WASM (its first chart within 2.5 s, DESIGN.md). Every link to a school page goes through
 * `schoolHref`, so the two modes can never be mixed within a build.
 *
 * The threshold is this one constant. Measured on the demo (250 schools): a prerendered school page
 * is about 275 KB of HTML plus 105 KB of __data.json (about 21 KB each over the wire, brotli), so
 * with its .br and .gz twins about 0.4 MB on disk, and 250 pages add about a minute to the build.
 * The largest English local authority has about 600 state-funded schools; 1,000 covers every one
 * (about 0.4 GB) while a national release (about 22,000, which would be about 9 GB) gets the shell.
 */
export const PRERENDER_SCHOOL_PAGES_MAX = 1000;

/** Should the build write one page per school for a release with this many schools? */
export function prerenderSchoolPages(schools: number, max = PRERENDER_SCHOOL_PAGES_MAX): boolean {
  return schools <= max;
}

/** The shell's route, prerendered in every build (and the only school page above the threshold). */
export const SCHOOL_SHELL_PATH = '/schools/school';

/**
 * The address of a school's page, for the mode this build is in (`base` is SvelteKit's base path).
 * `query`: the view to open it at, as `?group=...&measure=...` (school-choice.ts), or empty for
 * the page's standard view; the shell puts it after its own `urn`.
 */
export function schoolHref(urn: string, prerendered: boolean, base = '', query = ''): string {
  const rest = query.replace(/^\?/, '');
  return prerendered
    ? `${base}/schools/${encodeURIComponent(urn)}${rest ? `?${rest}` : ''}`
    : `${base}${SCHOOL_SHELL_PATH}?urn=${encodeURIComponent(urn)}${rest ? `&${rest}` : ''}`;
}

/** A URN as the shell accepts it from the address bar: six digits, nothing else. */
export function parseUrn(v: string | null | undefined): string | null {
  const s = (v ?? '').trim();
  return /^\d{6}$/.test(s) ? s : null;
}
