/**
 * Local authority identity across reorganisations, so that one area's series stays one series.
 *
 * DfE files name an LA by its old 3-digit code (`old_la_code`, `LEA`, the first digits of a
 * LAESTAB) and by its ONS code (`new_la_code`: `E10...` for a county, `E06...` for a unitary, and so
 * on). The ONS code changes when an area is reorganised even if its schools and its 3-digit code do
 * not: Somerset was E10000027 to 2022/23 and E06000066 from 2023/24. An abolished LA (Bedfordshire,
 * Cheshire) has `x` as its ONS code. So the 3-digit code is the key, and ONS codes are aliases of
 * it: every pairing seen in a file, plus the known recodings below for files that give only the ONS
 * code. Areas that were merged or split (Bournemouth and Poole into BCP, Northamptonshire into two)
 * got new 3-digit codes and are, rightly, new series.
 */

/** Same area, new ONS code (the 3-digit code did not change). */
export const KNOWN_RECODINGS: { old: string; codes: string[]; name: string }[] = [
  { old: '933', codes: ['E10000027', 'E06000066'], name: 'Somerset (county to unitary, April 2023)' },
  { old: '815', codes: ['E10000023', 'E06000065'], name: 'North Yorkshire (county to unitary, April 2023)' },
  { old: '835', codes: ['E10000009', 'E06000059'], name: 'Dorset (county to unitary, April 2019)' },
  { old: '825', codes: ['E10000002', 'E06000060'], name: 'Buckinghamshire (county to unitary, April 2020)' }
];

export interface LaIdentity {
  /** The 3-digit code: the key. */
  code: string;
  name: string;
  /** Every ONS code seen for it, oldest first. */
  onsCodes: string[];
  /** True when a file marked its ONS code `x` (the LA no longer exists). */
  abolished: boolean;
  region: { code: string; name: string } | null;
}

export class LaRegistry {
  private readonly byCode = new Map<string, LaIdentity>();
  private readonly byOns = new Map<string, string>();
  /** Year in which each LA's name was last seen, so the newest spelling wins (`Bristol, City of`). */
  private readonly nameYear = new Map<string, number>();

  constructor() {
    for (const r of KNOWN_RECODINGS) for (const c of r.codes) this.byOns.set(c, r.old);
  }

  /** Record a row's LA; returns the 3-digit code, or null when the row names no usable LA. */
  see(old: string, ons: string, name: string, year: number, region?: { code: string; name: string } | null): string | null {
    const o = old.trim();
    const n = ons.trim();
    const code = /^\d{3}$/.test(o) ? o : /^E\d{8}$/.test(n) ? (this.byOns.get(n) ?? null) : null;
    if (!code) return null;
    let la = this.byCode.get(code);
    if (!la) this.byCode.set(code, (la = { code, name: name.trim() || code, onsCodes: [], abolished: false, region: null }));
    if (/^E\d{8}$/.test(n)) {
      if (!la.onsCodes.includes(n)) la.onsCodes.push(n);
      this.byOns.set(n, code);
    } else if (n.toLowerCase() === 'x') la.abolished = true;
    if (name.trim() && year >= (this.nameYear.get(code) ?? -1)) {
      la.name = name.trim();
      this.nameYear.set(code, year);
    }
    if (region && region.code) la.region = region;
    return code;
  }

  /** The 3-digit code of an ONS code or of a 3-digit code. */
  resolve(code: string): string | null {
    const c = code.trim();
    if (/^\d{3}$/.test(c)) return c;
    return this.byOns.get(c) ?? null;
  }

  get(code: string): LaIdentity | undefined {
    return this.byCode.get(code);
  }

  all(): LaIdentity[] {
    return [...this.byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
  }
}

/** The 9 English regions, as DfE's exclusions files write them. */
export const ENGLISH_REGIONS: Record<string, string> = {
  E12000001: 'North East',
  E12000002: 'North West',
  E12000003: 'Yorkshire and The Humber',
  E12000004: 'East Midlands',
  E12000005: 'West Midlands',
  E12000006: 'East of England',
  E12000007: 'London',
  E12000008: 'South East',
  E12000009: 'South West'
};

/**
 * The English region a lookup's sub-region belongs to. The LA-to-region lookup DfE ships has 25
 * sub-regions (`South West A`, `London Central`, `South and West Yorkshire`), not the regions the
 * exclusions files compare with; this says which region each is part of, or null.
 */
export function regionOfSubRegion(sub: string): string | null {
  const s = sub.trim().toLowerCase();
  if (s.startsWith('london') || s.endsWith('london')) return 'London';
  if (/yorkshire/.test(s)) return 'Yorkshire and The Humber';
  for (const name of Object.values(ENGLISH_REGIONS)) {
    if (s === name.toLowerCase() || s.startsWith(`${name.toLowerCase()} `)) return name;
  }
  return null;
}
