/**
 * Bell compatibility benchmark: a seeded population of clusters whose schools ring their own
 * bells (offsets of 0–30 minutes, 40- and 45-minute periods, different big breaks and lunch
 * breaks, early Friday dismissal at some schools, 1+3 and 1+4), analysed with
 * `analyzeCompatibility`, then given `proposeChanges`' first proposal. Prints the share of
 * clusters with no common slot (a hub period every receiving school can sit at the product's
 * overlap rule, 90 %, unless `--min-overlap` says otherwise) and of
 * clusters short of slots for their offerings, before and after, the size of the accepted
 * proposals, and the time per cluster; writes JSON to bench/results/.
 *
 *   node --import tsx bench/compat.ts [--clusters=5000] [--seed=1] [--min-overlap=0.9] [--fixed-hub]
 *
 * `--fixed-hub` keeps the hub's bells as they are (a hub serving several clusters).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { analyzeCompatibility, applyProposal, proposeChanges } from '../scheduler/compat/index.ts';
import { mulberry32 } from '../scheduler/timetable/random.ts';
import { MIN_OVERLAP } from '../scheduler/timetable/slots.ts';
import type { CompatInput, CompatOffering, Proposal, ProposeOptions } from '../scheduler/compat/index.ts';
import type { BellPeriod, SchoolInput, Weekday } from '../scheduler/timetable/model.ts';
import { machine, writeResults } from './lib/results.ts';

const Options = z.object({
  clusters: z.coerce.number().int().min(1).max(1_000_000),
  seed: z.coerce.number().int(),
  minOverlap: z.coerce.number().gt(0).max(1),
  fixedHub: z.boolean(),
});

function parseOptions(): z.infer<typeof Options> {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      'min-overlap': { type: 'string', default: String(MIN_OVERLAP) },
      'fixed-hub': { type: 'boolean', default: false },
    },
  });
  return Options.parse({
    clusters: values.clusters,
    seed: values.seed,
    minOverlap: values['min-overlap'],
    fixedHub: values['fixed-hub'],
  });
}

type Random = () => number;
const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

/** How a school's day is laid out. */
interface DayShape {
  /** First bell, minutes since midnight. */
  start: number;
  length: 40 | 45;
  /** Break between ordinary periods. */
  pause: number;
  /** Big break (大课间) after period 2. */
  bigBreak: number;
  afternoonStart: number;
  afternoonPeriods: number;
  /** Friday afternoon has one period fewer (boarding pupils go home). */
  earlyFriday: boolean;
}

const WEEK: readonly Weekday[] = [1, 2, 3, 4, 5];

function periods(shape: DayShape): BellPeriod[] {
  const out: BellPeriod[] = [];
  let t = shape.start;
  for (let p = 1; p <= 4; p++) {
    out.push({ period: p, start: t, end: t + shape.length, weekdays: WEEK });
    t += shape.length + (p === 2 ? shape.bigBreak : shape.pause);
  }
  t = shape.afternoonStart;
  for (let k = 1; k <= shape.afternoonPeriods; k++) {
    const last = k === shape.afternoonPeriods;
    const weekdays = last && shape.earlyFriday ? WEEK.filter((d) => d !== 5) : WEEK;
    out.push({ period: 4 + k, start: t, end: t + shape.length, weekdays });
    t += shape.length + shape.pause;
  }
  return out;
}

/** An offset of 0–30 minutes in steps of 5, later three times out of four. */
function offset(rng: Random): number {
  const minutes = 5 * Math.floor(rng() * 7);
  return rng() < 0.75 ? minutes : -minutes;
}

function shape(rng: Random, hub?: DayShape): DayShape {
  return {
    start: hub ? hub.start + offset(rng) : 480 + pick(rng, [-10, -5, 0, 0, 5, 10]),
    length: rng() < 0.6 ? 40 : 45,
    pause: rng() < 0.85 ? 10 : pick(rng, [5, 15]),
    bigBreak: pick(rng, [20, 25, 30]),
    afternoonStart: hub ? hub.afternoonStart + offset(rng) : pick(rng, [840, 850, 860, 870]),
    afternoonPeriods: pick(rng, [2, 3, 3]),
    earlyFriday: rng() < 0.3,
  };
}

const SUBJECTS = ['英语', '音乐', '美术', '科学', '书法', '道德与法治'];

function cluster(rng: Random, index: number): CompatInput {
  const hubShape = shape(rng);
  const school = (id: string, name: string, s: DayShape): SchoolInput => ({
    id,
    name,
    periods: periods(s),
    downlinkMbps: 6,
    uplinkMbps: 2,
  });
  const hub = school(`c${index}-hub`, '中心学校', hubShape);
  const n = rng() < 0.5 ? 3 : 4;
  const receiving = Array.from({ length: n }, (_, k) =>
    school(`c${index}-r${k + 1}`, `教学点${k + 1}`, shape(rng, hubShape)),
  );
  const offerings: CompatOffering[] = Array.from({ length: 2 + Math.floor(rng() * 3) }, (_, k) => {
    const all = k === 0 || rng() < 0.5;
    const some = receiving.filter(() => rng() < 0.6);
    const schools = all || some.length === 0 ? receiving : some;
    return {
      id: `c${index}-o${k + 1}`,
      name: `${pick(rng, SUBJECTS)}${k + 1}`,
      schoolIds: schools.map((s) => s.id),
      periodsPerWeek: rng() < 0.6 ? 2 : 1,
    };
  });
  return { hub, receiving, offerings };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const date = new Date();
  const rng = mulberry32(options.seed);
  const inputs = Array.from({ length: options.clusters }, (_, i) => cluster(rng, i));
  const analysis = { minOverlap: options.minOverlap };
  const proposing = (input: CompatInput): ProposeOptions => ({
    ...analysis,
    fixedSchoolIds: options.fixedHub ? [input.hub.id] : [],
  });
  const before = { noCommon: 0, short: 0 };
  const after = { noCommon: 0, short: 0 };
  const accepted: Proposal[] = [];
  let incomplete = 0;
  let none = 0;
  const times: number[] = [];
  const kinds = new Map<string, number>();

  // Warm the JIT on a few clusters so the first timings measure the code, not the compiler.
  for (const input of inputs.slice(0, 50)) proposeChanges(input, proposing(input));

  for (const [i, input] of inputs.entries()) {
    if (i % 1000 === 0) progress(`cluster ${i}/${inputs.length}`);
    const t0 = performance.now();
    const report = analyzeCompatibility(input, analysis);
    const proposals = report.feasible ? [] : proposeChanges(input, proposing(input));
    times.push(performance.now() - t0);
    if (report.commonSlots === 0) before.noCommon++;
    if (!report.feasible) before.short++;
    const first = proposals[0];
    let result = report;
    if (first) {
      const [hub, ...receiving] = applyProposal([input.hub, ...input.receiving], first);
      result = analyzeCompatibility({ ...input, hub: hub ?? input.hub, receiving }, analysis);
      if (first.complete) {
        accepted.push(first);
        for (const kind of first.kinds) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      } else incomplete++;
    } else if (!report.feasible) none++;
    if (result.commonSlots === 0) after.noCommon++;
    if (!result.feasible) after.short++;
  }

  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  const mean = (f: (p: Proposal) => number): number =>
    accepted.reduce((n, p) => n + f(p), 0) / (accepted.length || 1);
  const share = (n: number): string => `${((100 * n) / options.clusters).toFixed(1)} % (${n})`;
  const summary = {
    clusters: options.clusters,
    noCommonSlotBefore: before.noCommon,
    noCommonSlotAfter: after.noCommon,
    shortOfSlotsBefore: before.short,
    shortOfSlotsAfter: after.short,
    acceptedProposals: accepted.length,
    incompleteProposals: incomplete,
    noProposal: none,
    meanChanges: mean((p) => p.cost.changes),
    meanMinutesMoved: mean((p) => p.cost.minutesMoved),
    meanSchoolsTouched: mean((p) => p.cost.schoolsTouched),
    hubTouchedShare: accepted.filter((p) => p.cost.hubTouched).length / (accepted.length || 1),
    kinds: Object.fromEntries([...kinds].sort()),
    timeMs: {
      total,
      p50: quantile(sorted, 0.5),
      p95: quantile(sorted, 0.95),
      max: sorted[sorted.length - 1] ?? NaN,
    },
  };

  const rows: [string, string][] = [
    ['clusters (1+3 and 1+4)', String(options.clusters)],
    [`no common slot, before (all schools ≥ ${options.minOverlap * 100} %)`, share(before.noCommon)],
    ['no common slot, after the first proposal', share(after.noCommon)],
    ['offerings short of slots, before', share(before.short)],
    ['offerings short of slots, after', share(after.short)],
    ['accepted (complete) proposals', String(accepted.length)],
    ['  incomplete / none within the limits', `${incomplete} / ${none}`],
    ['  mean changes', summary.meanChanges.toFixed(2)],
    ['  mean minutes moved (period × weekday)', summary.meanMinutesMoved.toFixed(1)],
    ['  mean schools touched', summary.meanSchoolsTouched.toFixed(2)],
    ['  hub bells touched', `${(100 * summary.hubTouchedShare).toFixed(1)} %`],
    ['  kinds used', [...kinds].map(([k, n]) => `${k} ${n}`).join(', ')],
    ['analysis + proposals, total', `${(total / 1000).toFixed(2)} s`],
    [
      '  per cluster p50 / p95 / max',
      `${summary.timeMs.p50.toFixed(2)} / ${summary.timeMs.p95.toFixed(2)} / ${summary.timeMs.max.toFixed(1)} ms`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `Bell compatibility, seed ${options.seed}, minOverlap ${options.minOverlap}` +
      `${options.fixedHub ? ', hub bells fixed' : ''}\n`,
  );
  console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));

  const result = {
    date: date.toISOString(),
    environment: machine(),
    settings: options,
    summary,
  };
  await writeResults('compat', date, result);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
