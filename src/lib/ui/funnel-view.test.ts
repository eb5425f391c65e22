// The funnel's view model and its words: schools placed by the exact limits, schools that cannot
// be placed counted with their reason, the outliers listed, and a summary that sets them against
// what chance alone would give.
import { describe, expect, it } from 'vitest';
import type { FunnelRow } from '$lib/data/school-queries';
import { funnelView, phaseFunnels } from './funnel-view';
import { chanceWords, verdictWords } from './verdict-words';

const rows: FunnelRow[] = [
  // Target 10 per 100 (Binomial for permanent exclusions would be silly; pupils suspended: proportion).
  // Bin(100, 0.1): 99.8% limits 1.4 and 19.8 per 100; 95% limits 4.0 and 15.8.
  { urn: '1', name: 'Alpha', phase: 'Primary', numerator: 10, denominator: 100, flag: null },
  { urn: '2', name: 'Beta', phase: 'Primary', numerator: 25, denominator: 100, flag: null },
  { urn: '3', name: 'Gamma', phase: 'Primary', numerator: 17, denominator: 100, flag: null },
  { urn: '4', name: 'Delta', phase: 'Primary', numerator: 0, denominator: 100, flag: null },
  { urn: '5', name: 'Epsilon', phase: 'Primary', numerator: null, denominator: 40, flag: 'c' },
  { urn: '6', name: 'Zeta', phase: 'Primary', numerator: null, denominator: null, flag: 'x' }
];

describe('funnelView', () => {
  const v = funnelView(rows, { numerator: 100, denominator: 1000, withEvent: null }, 'one_plus_suspension_rate', (u) => `/schools/${u}`);

  it('places each published school by the exact limits', () => {
    expect(v.target).toBe(10);
    expect(Object.fromEntries(v.points.map((p) => [p.id, p.position]))).toEqual({ '1': 'inside', '2': 'above-998', '3': 'above-95', '4': 'below-998' });
    expect(v.counts).toEqual({ 'above-998': 1, 'above-95': 1, inside: 1, 'below-95': 0, 'below-998': 1 });
    expect(v.points[0]!.href).toBe('/schools/1');
    expect(v.curve[0]!.n).toBe(100);
  });

  it('counts the schools it cannot place, by reason', () => {
    expect(v.notPlaced).toEqual({ suppressed: 1, other: 1 });
  });

  it('lists the outliers higher first, with what the target rate would have given', () => {
    expect(v.outliers.map((o) => [o.urn, o.position, o.expected])).toEqual([
      ['2', 'above-998', 10],
      ['4', 'below-998', 10]
    ]);
  });

  it('summarises with care: how many are outside, and how many chance alone would put there', () => {
    expect(v.summary).toContain('4 schools shown.');
    expect(v.summary).toContain('2 schools are not shown because their figures are not published or not available.');
    expect(v.summary).toContain('1 school is above the 99.8% limits and 1 school below.');
    expect(v.summary).toContain('chance alone would put about none or one outside the 99.8% limits');
  });

  it('is the same from the placed schools and a count of the rest (funnelPoints)', () => {
    const placed = rows.filter((r) => r.numerator !== null && r.denominator !== null);
    expect(funnelView(placed, { numerator: 100, denominator: 1000, withEvent: null }, 'one_plus_suspension_rate', (u) => `/schools/${u}`, { suppressed: 1, other: 1 })).toEqual(v);
  });

  it('draws no limits when the LA’s own rate is not published', () => {
    const none = funnelView(rows, { numerator: null, denominator: null, withEvent: null }, 'suspension_rate', (u) => u);
    expect(none.points).toEqual([]);
    expect(none.curve).toEqual([]);
    expect(none.summary).toContain('no limits can be drawn');
  });

  it('widens the limits for suspensions by how much they cluster within the LA’s pupils', () => {
    // 30 suspensions in 100 pupils around a target of 10 per 100: far outside Poisson's limits, but
    // when each suspended pupil in the LA had 3 (φ = 5) it is 6 pupils' worth against 2 expected.
    const one = [{ urn: '1', name: 'Alpha', phase: 'Primary' as const, numerator: 30, denominator: 100, flag: null }];
    const poisson = funnelView(one, { numerator: 1000, denominator: 10000, withEvent: 1000 }, 'suspension_rate', (u) => u);
    const clustered = funnelView(one, { numerator: 1000, denominator: 10000, withEvent: 333 }, 'suspension_rate', (u) => u);
    expect(poisson.points[0]!.position).toBe('above-998');
    expect(clustered.points[0]!.position).toBe('above-95');
    expect(clustered.curve.at(-1)!.upper998).toBeGreaterThan(poisson.curve.at(-1)!.upper998);
    // Pupils suspended not published: England's clustering stands in, never none at all.
    const unknown = funnelView(one, { numerator: 1000, denominator: 10000, withEvent: null }, 'suspension_rate', (u) => u);
    expect(unknown.curve.at(-1)!.upper998).toBeGreaterThan(poisson.curve.at(-1)!.upper998);
  });
});

describe('verdict words', () => {
  it('say how often chance would give the difference', () => {
    expect(chanceWords(0.0004)).toBe('less than 1 time in 1,000');
    expect(chanceWords(0.025)).toBe('about 1 time in 40');
    expect(chanceWords(0.0042)).toBe('about 1 time in 240');
    expect(chanceWords(0.6)).toBe('about 1 time in 2');
    expect(chanceWords(0.9)).toBe('most of the time');
    expect(chanceWords(1)).toBe('most of the time');
  });

  it('never say "more than chance would explain" for small numbers or a weak difference', () => {
    const ctx = { school: 'X', group: 'SEND' as const, measure: 'permanent_exclusion_rate' as const, period: '2021/22 to 2023/24', k: 10, included: 7, observed: 1 };
    for (const kind of ['too-small', 'higher', 'lower', 'no-difference', 'not-published', 'no-comparison'] as const) {
      const w = verdictWords({ kind, p: kind === 'higher' ? 0.01 : null, expected: 0.4, schoolRate: 1, similarRate: 0.2 }, ctx);
      expect(`${w.headline} ${w.detail}`).not.toMatch(/by more than chance would explain/);
    }
    const small = verdictWords({ kind: 'too-small', p: 0.5, expected: 0.4, schoolRate: 0.33, similarRate: 0.13 }, ctx);
    expect(small.headline).toBe('The numbers are too small to tell');
    expect(small.detail).toContain('the 7 of its 10 similar schools with published figures');
    expect(small.detail).toContain('about 0.4 permanent exclusions; it had 1');
  });
});

describe('funnel summary when schools really differ', () => {
  it('says that being outside the limits means different from the LA rate, not unusual among schools', () => {
    const many: FunnelRow[] = Array.from({ length: 20 }, (_, i) => ({
      urn: String(i),
      name: `S${i}`,
      phase: 'Primary',
      numerator: i % 2 === 0 ? 2 : 40,
      denominator: 100,
      flag: null
    }));
    const v = funnelView(many, { numerator: 21, denominator: 100, withEvent: null }, 'one_plus_suspension_rate', (u) => u);
    expect(v.counts['above-998'] + v.counts['below-998']).toBe(20);
    expect(v.summary).toContain('schools really do differ from one another');
    expect(funnelView(rows, { numerator: 100, denominator: 1000, withEvent: null }, 'one_plus_suspension_rate', (u) => u).summary).not.toContain('really do differ');
    expect(funnelView(rows.slice(0, 1), { numerator: 100, denominator: 1000, withEvent: null }, 'one_plus_suspension_rate', (u) => u).summary).toContain(
      'No school is outside the 99.8% limits. No school lies between'
    );
  });
});

describe('phaseFunnels: with no phase chosen, each phase against its own rate', () => {
  // Primary schools at about 10 per 100 and secondary at about 40: against one rate for all
  // schools (25), every secondary school would look high and every primary school low.
  const mixed: FunnelRow[] = [
    ...Array.from({ length: 6 }, (_, i): FunnelRow => ({ urn: `P${i}`, name: `Primary ${i}`, phase: 'Primary', numerator: 10 + (i % 3) - 1, denominator: 100, flag: null })),
    ...Array.from({ length: 6 }, (_, i): FunnelRow => ({ urn: `S${i}`, name: `Secondary ${i}`, phase: 'Secondary', numerator: 40 + (i % 3) - 1, denominator: 100, flag: null })),
    { urn: 'S9', name: 'Secondary high', phase: 'Secondary', numerator: 70, denominator: 100, flag: null },
    { urn: 'A1', name: 'Alternative', phase: 'Alternative provision', numerator: 5, denominator: 10, flag: null }
  ];
  const targets = new Map([
    ['Primary', { numerator: 100, denominator: 1000, withEvent: null }],
    ['Secondary', { numerator: 400, denominator: 1000, withEvent: null }],
    ['Alternative provision', { numerator: null, denominator: null, withEvent: null }]
  ]);
  const f = phaseFunnels(mixed, targets, 'one_plus_suspension_rate', (u) => `/schools/${u}`, { suppressed: 2, other: 0 }, 'Testshire');

  it('draws a funnel per phase with a published rate, in the usual order of phases', () => {
    expect(f.byPhase).toBe(true);
    expect(f.panels.map((p) => [p.phase, p.view.target])).toEqual([
      ['Primary', 10],
      ['Secondary', 40]
    ]);
    expect(f.targetOf('Secondary')).toBe(40);
    expect(f.targetOf('Alternative provision')).toBeNull();
  });

  it('judges each school against its own phase: only the secondary school far above its phase is outside', () => {
    expect(f.outliers.map((o) => [o.urn, o.position, o.expected])).toEqual([['S9', 'above-998', 40]]);
    expect(f.points.filter((p) => p.id.startsWith('P')).every((p) => p.position === 'inside')).toBe(true);
    // The same positions as the phase's own funnel (the school page's).
    const secondary = funnelView(mixed.filter((r) => r.phase === 'Secondary'), targets.get('Secondary')!, 'one_plus_suspension_rate', (u) => u);
    expect(f.panels[1]!.view.points.map((p) => p.position)).toEqual(secondary.points.map((p) => p.position));
  });

  it('says why phases have their own funnels, and which schools have none', () => {
    expect(f.summary).toMatch(/^Each phase has its own funnel, around Testshire’s rate for schools of that phase/);
    expect(f.summary).toContain('1 alternative provision school is not placed: Testshire’s own rate for that phase is not published.');
    expect(f.summary).toContain('13 schools shown. 2 schools are not shown because their figures are not published (small numbers).');
    expect(f.summary).toContain('1 school is above the 99.8% limits and no school below.');
    expect(f.summary).toContain('If every school had the same underlying rate as the others of its phase');
  });

  it('is the one funnel, as before, when a phase is chosen', () => {
    const one = phaseFunnels(mixed.filter((r) => r.phase === 'Primary'), new Map([['Primary', targets.get('Primary')!]]), 'one_plus_suspension_rate', (u) => u);
    expect(one.byPhase).toBe(false);
    expect(one.panels).toHaveLength(1);
    expect(one.summary).toBe(funnelView(mixed.filter((r) => r.phase === 'Primary'), targets.get('Primary')!, 'one_plus_suspension_rate', (u) => u).summary);
  });
});
