/**
 * Fictional names for the demo: schools of "Wessex" and its statistical neighbours.
 *
 * The names come from Thomas Hardy's Wessex so that they read as English places without being
 * any real school or council: a demo screenshot must never be mistaken for a real school's data.
 * Hardy's big towns (Casterbridge, Budmouth...) take the large schools and several of them each;
 * his hamlets take the small rural primaries, as in a real county.
 */
import type { Rng } from './prng';

/** Towns: big enough for several primaries and a secondary. */
export const TOWNS = [
  'Casterbridge',
  'Budmouth',
  'Sherton Abbas',
  'Shaston',
  'Ivell',
  'Port Bredy',
  'Anglebury',
  'Kingsbere',
  'Emminster',
  'Shottsford Forum',
  'Stourcastle',
  'Downstaple',
  'Kennetbridge',
  'Stoke Barehills',
  'Quartershot',
  'Solentsea',
  'Alfredston',
  'Leddenton',
  'Chaseborough',
  'Knollsea'
] as const;

/** Villages and hamlets: small (often tiny) primaries. */
export const VILLAGES = [
  'Weatherbury',
  'Mellstock',
  'Marlott',
  'Talbothays',
  'Flintcomb-Ash',
  'Egdon',
  'Overcombe',
  'Trantridge',
  'Evershead',
  "Abbot's Cernel",
  'Little Hintock',
  'Great Hintock',
  'Norcombe',
  'Middleton Abbey',
  'Chalk Newton',
  'Nether Moynton',
  'Longpuddle',
  'Durnover',
  'Stickleford',
  'Tolchurch',
  'Oakbury Fitzpiers',
  'Carriford',
  'Endelstow',
  'Castle Boterel',
  'Wellbridge',
  'Holmstoke',
  'Stagfoot Lane',
  'Mistover',
  'Lulstead',
  'Marygreen',
  'Nuzzlebury',
  'Kingscreech',
  'Weydon Priors',
  'Lewgate',
  'Bramshurst',
  'Owlscombe',
  'Lornton',
  'Cresscombe',
  'Camelton',
  "St Launce's",
  'Roy-Town',
  'Narrobourne',
  'Oxwell',
  'Springham',
  'Yalbury',
  'Gaymead',
  'Froom Vale',
  'Pummery',
  'Rainbarrow',
  'Blackmoor Vale',
  'Glaston',
  'Fountall',
  'Markton',
  'Silverthorn',
  'Upper Mellstock',
  'Lower Longpuddle',
  'Toller Down',
  'Hintock Abbas',
  'Scrimpton',
  'Lumsdon'
] as const;

/**
 * The ten statistical neighbours. Their names are kept out of the school lists so that no Wessex
 * school seems to belong to a neighbouring council. Codes: 991-999 and 989 (fictional; real LA
 * codes stop at 938).
 */
export const NEIGHBOURS: readonly { code: string; name: string }[] = [
  { code: '991', name: 'Christminster' },
  { code: '992', name: 'Melchester' },
  { code: '993', name: 'Wintoncester' },
  { code: '994', name: 'Exonbury' },
  { code: '995', name: 'Sandbourne' },
  { code: '996', name: 'Havenpool' },
  { code: '997', name: 'Toneborough' },
  { code: '998', name: 'Aldbrickham' },
  { code: '999', name: 'Lower Wessex' },
  { code: '989', name: 'Upper Wessex' }
];

const SAINTS = ['Mary', 'Michael', 'Peter', 'Andrew', 'John', 'Nicholas', 'James', 'George', 'Martin', 'Aldhelm', 'Swithun', 'Edward'] as const;
const FEATURES = ['Hill', 'Meadows', 'Vale', 'Heath', 'Down', 'Fields', 'Brook', 'Park', 'Green', 'Orchard', 'Mill', 'Castle', 'Manor', 'Ridge', 'Combe'] as const;

export type NamePhase = 'Primary' | 'Secondary' | 'Special' | 'Alternative provision' | 'All-through';
export type NameType = 'Academy' | 'Maintained' | 'Free school' | 'Pupil referral unit';

/**
 * Hands out unique school names. Deterministic for a given Rng: the same seed names the same
 * schools the same way.
 */
export class SchoolNamer {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /**
   * A name for a school. `size` steers the place: tiny primaries go to villages, large schools to
   * towns. Falls back to numbered variants only if every combination is taken (far more schools
   * than the demo's default).
   */
  name(phase: NamePhase, type: NameType, size: number): string {
    for (let attempt = 0; attempt < 400; attempt++) {
      const place = this.place(phase, size, attempt);
      const candidate = this.template(phase, type, place);
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
    for (let n = 2; ; n++) {
      const candidate = `${this.template(phase, type, this.rng.pick(TOWNS))} ${n}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }

  private place(phase: NamePhase, size: number, attempt: number): string {
    const preferTown = phase === 'Secondary' || phase === 'All-through' || (phase === 'Primary' && size > 420);
    const preferVillage = phase === 'Primary' && size < 140;
    // After many collisions widen the pool, so a crowded category still finds a free name.
    const relax = attempt > 150;
    if (preferTown && !relax) return this.rng.pick(TOWNS);
    if (preferVillage && !relax) return this.rng.pick(VILLAGES);
    return this.rng.chance(0.4) ? this.rng.pick(TOWNS) : this.rng.pick(VILLAGES);
  }

  private template(phase: NamePhase, type: NameType, place: string): string {
    const r = this.rng;
    switch (phase) {
      case 'Primary': {
        if (type === 'Free school') return r.pick([`${place} Free School`, `${place} ${r.pick(FEATURES)} Primary Free School`]);
        const options = [
          `${place} Primary School`,
          `${place} Church of England Primary School`,
          `${place} Community Primary School`,
          `${place} ${r.pick(FEATURES)} Primary School`,
          `St ${r.pick(SAINTS)}'s Church of England Primary School, ${place}`,
          `St ${r.pick(SAINTS)}'s Catholic Primary School, ${place}`
        ];
        if (type === 'Academy') options.push(`${place} Primary Academy`, `${place} ${r.pick(FEATURES)} Academy`);
        // Commas in names are legal CSV (quoted) but awkward in charts: keep them rare.
        const i = r.weightedIndex(type === 'Academy' ? [3, 2, 1, 2, 0.5, 0.3, 3, 1.5] : [4, 3, 2, 2, 0.5, 0.3]);
        return options[i] as string;
      }
      case 'Secondary':
        if (type === 'Free school') return r.pick([`${place} Free School`, `${place} Studio School`, `${place} University Technical College`]);
        if (type === 'Academy') return r.pick([`${place} Academy`, `${place} School`, `The ${place} Academy`, `${place} Church of England Academy`, `${place} ${r.pick(FEATURES)} Academy`]);
        return r.pick([`${place} School`, `${place} Community College`, `${place} Upper School`, `${place} Grammar School`]);
      case 'Special':
        return r.pick([`${place} ${r.pick(['House', 'Park', 'Lodge', 'Court', 'Vale', 'Brook'])} School`, `${place} Special School`, `${place} ${r.pick(FEATURES)} Academy`]);
      case 'Alternative provision':
        if (type === 'Pupil referral unit') return r.pick([`${place} Pupil Referral Unit`, `${place} Learning Centre`, `${place} Education Centre`]);
        return r.pick([`${place} Alternative Provision Academy`, `${place} Harbour Academy`, `${place} Bridge Academy`]);
      case 'All-through':
        return r.pick([`${place} All-Through School`, `${place} All-Through Academy`, `${place} Learning Campus`]);
    }
  }
}
