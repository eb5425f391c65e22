/**
 * The explorer's query in the page's address, so that a reload keeps it and a link shares it:
 * `/explore#q=SELECT+...`, written (replacing the history entry, not adding one) when a query is
 * run, never on each keystroke, and run again when the page is opened at such an address.
 *
 * In the fragment (after #), not the query string (after ?), on purpose. The page promises that
 * queries are never sent anywhere, and a browser never sends the fragment: a query string goes to
 * the host with every load, into its access logs, and a long one meets hosts' request-line limits
 * (8 KB by default on nginx and Apache) as an error page. A link written with `?q=` is still read,
 * and moved into the fragment, so that it is not sent again on the next reload.
 *
 * Long queries: the fragment holds a query of up to MAX_ADDRESS_CHARS characters once encoded
 * (a query of about 5,000 characters as typed, 150 lines or so), which every current browser,
 * email program and chat app carries whole. A longer one is not written into the address; any
 * earlier query is taken out of it instead, so that the address never holds another query than
 * the one shown, and the page says why a link to it would not hold it.
 */

/** The most characters the query may take in the address, encoded. */
export const MAX_ADDRESS_CHARS = 8000;

const KEY = 'q';

/** The query an address holds (its fragment's, else its query string's), or null when it holds none. */
export function queryInAddress(url: URL): string | null {
  return new URLSearchParams(url.hash.replace(/^#/, '')).get(KEY) ?? url.searchParams.get(KEY);
}

/** The query as the address's fragment writes it (`q=SELECT+1`): spaces as +, everything else %-encoded. */
export function encodedQuery(sql: string): string {
  return new URLSearchParams({ [KEY]: sql }).toString();
}

/**
 * The address that holds `sql`, from the address `url` the page has now: its query string without
 * any `q` (kept otherwise), and the query in the fragment; without a query (`sql` empty, or longer
 * than the address may hold) no fragment. `kept` says whether the query is in it.
 */
export function addressFor(url: URL, sql: string): { href: string; kept: boolean } {
  const search = new URLSearchParams(url.search);
  search.delete(KEY);
  const rest = search.toString();
  const fragment = sql === '' ? '' : encodedQuery(sql);
  const kept = fragment.length > 0 && fragment.length <= MAX_ADDRESS_CHARS;
  return { href: `${url.pathname}${rest ? `?${rest}` : ''}${kept ? `#${fragment}` : ''}`, kept };
}
