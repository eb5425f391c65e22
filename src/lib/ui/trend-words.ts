/**
 * A trend chart's one-line summary in plain words ("rose from 20.1 to 42.4 for pupils with an EHC
 * plan ..."), for readers who cannot see the chart or would rather not read one. Pure, so the
 * prerendered sentence and the hydrated one are identical.
 */
import type { RatePoint } from '$lib/data/queries';
import type { PupilGroup } from '$lib/data/schema';

const PHRASE: Record<PupilGroup, string> = {
  'EHC plan': 'pupils with an EHC plan',
  'SEN support': 'pupils on SEN support',
  'No SEN': 'pupils with no SEN',
  'All pupils': 'all pupils'
};

const LA_GROUPS: PupilGroup[] = ['EHC plan', 'SEN support', 'No SEN'];

interface Change {
  clause: string;
}

function change(points: RatePoint[], digits: number, firstYear: string, lastYear: string): Change | null {
  const known = points.filter((p) => p.rate !== null).sort((a, b) => a.year_start - b.year_start);
  const first = known[0];
  const last = known.at(-1);
  if (!first || !last || first === last) return null;
  const a = first.rate!.toFixed(digits);
  const b = last.rate!.toFixed(digits);
  const verb = a === b ? `stayed at ${a}` : `${last.rate! > first.rate! ? 'rose' : 'fell'} from ${a} to ${b}`;
  const years =
    first.academic_year === firstYear && last.academic_year === lastYear ? '' : ` (${first.academic_year} to ${last.academic_year})`;
  return { clause: `${verb}${years}` };
}

function listJoin(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * "From 2016/17 to 2023/24, suspensions per 100 pupils rose from 20.1 to 42.4 for pupils with an
 * EHC plan, ... ; in England, for all pupils, they rose from 4.8 to 11.4." Rates are written with
 * `digits` decimals; a group with fewer than two published years is left out. When no SEN group
 * has two published years (a release with no SEN split), the LA's all-pupils line is described.
 */
export function changeSentence(points: RatePoint[], measureLabel: string, digits: number): string {
  const years = [...new Set(points.map((p) => p.year_start))].sort((a, b) => a - b);
  const label = (y: number | undefined) => points.find((p) => p.year_start === y)?.academic_year ?? '';
  const firstYear = label(years[0]);
  const lastYear = label(years.at(-1));
  const clauses = (groups: PupilGroup[]) =>
    groups
      .map((g) => {
        const c = change(
          points.filter((p) => p.area_type === 'LA' && p.pupil_group === g),
          digits,
          firstYear,
          lastYear
        );
        return c ? `${c.clause} for ${PHRASE[g]}` : null;
      })
      .filter((c): c is string => c !== null);
  // Without an SEN split (DfE's LA-level files), the LA's line is all pupils.
  const bySen = clauses(LA_GROUPS);
  const la = bySen.length > 0 ? bySen : clauses(['All pupils']);
  const comparators = [...new Set(points.filter((p) => p.area_type !== 'LA').map((p) => `${p.area_name}|${p.pupil_group}`))]
    .map((key) => {
      const [name, group] = key.split('|') as [string, PupilGroup];
      const c = change(
        points.filter((p) => p.area_type !== 'LA' && p.area_name === name && p.pupil_group === group),
        digits,
        firstYear,
        lastYear
      );
      return c ? `in ${name}, for ${PHRASE[group]}, it ${c.clause}` : null;
    })
    .filter((c): c is string => c !== null);
  if (la.length === 0) return `There are not enough published figures to describe how ${measureLabel.toLowerCase()} changed.`;
  const tail = comparators.length > 0 ? `; ${comparators.join('; ')}` : '';
  return `From ${firstYear} to ${lastYear}, ${measureLabel.toLowerCase()} ${listJoin(la)}${tail}.`;
}
