// The councillors' view's first view, computed at build time on native DuckDB with the same query
// functions the browser runs later, plus the local events and targets of data/events.json (a
// mistake there stops the build, naming the file, line and column).
import { councilTrend, englandNeeds, laBreakdown, laYears } from '$lib/data/council-queries';
import { laSenSplit } from '$lib/data/queries';
import { publishedDb, readManifest } from '$lib/server/published';
import { readEvents } from '$lib/server/events';
import { eventsFor } from '$lib/config/events';
import { COUNCIL_DEFAULTS as d } from '$lib/ui/council-page';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const db = await publishedDb();
  const m = readManifest();
  const years = m.years.map((y) => Number(y.slice(0, 4)));
  const latest = Math.max(...years);
  const span = { from: latest, to: latest };
  // One connection, so one query at a time.
  const trend = await councilTrend(db, { measure: d.measure, phase: d.phase, comparators: d.compare });
  const yearsRows = await laYears(db, { phase: d.phase });
  const reasons = await laBreakdown(db, { dimension: 'reason', ...span });
  const needs = await laBreakdown(db, { dimension: 'need', ...span });
  const englandNeedRows = await englandNeeds(db, span);
  const terms = await laBreakdown(db, { dimension: 'term', ...span });
  const fsm = await laBreakdown(db, { dimension: 'fsm', ...span });
  // DfE's LA-level files have no SEN split: the page then shows the LA's all pupils and says so.
  const senSplit = await laSenSplit(db);
  return { years, latest, events: eventsFor(readEvents(), m.la.code), trend, yearsRows, reasons, needs, englandNeeds: englandNeedRows, terms, fsm, senSplit };
};
