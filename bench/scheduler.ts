/**
 * Joint-timetable benchmark: generated clusters that resemble real 1+3 / 1+4 clusters, solved
 * one by one (clusters are independent problems) by the solver and by a plain greedy baseline
 * in the same run, every result re-checked with the independent checker. Three sizes: one
 * cluster, a county (~100 clusters), a province (5,000 clusters). Also times the editor's
 * incremental check over random moves. Prints a table and writes JSON to bench/results/.
 *
 *   node --import tsx bench/scheduler.ts [--sizes=cluster,county,province] [--seed=1]
 *
 * Exits 1 if any output breaks a hard rule.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { solve } from '../scheduler/timetable/index.ts';
import { generateCluster } from './lib/scheduler/generate.ts';
import { runBatch, timeIncremental } from './lib/scheduler/measure.ts';
import type { BatchSummary } from './lib/scheduler/measure.ts';
import { machine, textTable, writeResults } from './lib/results.ts';

/**
 * The sizes, and each cluster's solver budget: a time limit and a number of search steps
 * without improvement (the one cluster gets the library's defaults, as the editor's solve
 * does; the province total targets < 60 s).
 */
const SIZES = {
  cluster: { clusters: 1, timeLimitMs: 2000, stallIterations: 20_000 },
  county: { clusters: 100, timeLimitMs: 50, stallIterations: 2000 },
  province: { clusters: 5000, timeLimitMs: 8, stallIterations: 1000 },
} as const;
type Size = keyof typeof SIZES;

const Options = z.object({
  sizes: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(['cluster', 'county', 'province'])).min(1)),
  seed: z.coerce.number().int().min(0),
  moves: z.coerce.number().int().min(1).max(1_000_000),
});

function parseOptions(): z.infer<typeof Options> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: 'cluster,county,province' },
      seed: { type: 'string', default: '1' },
      moves: { type: 'string', default: '20000' },
    },
  });
  return Options.parse(values);
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${message}\n`);
}

/** Distinct seeds per size and cluster, from the run's seed. */
function clusterSeed(seed: number, size: Size, i: number): number {
  return (
    (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(Object.keys(SIZES).indexOf(size) + 1, 0x85ebca6b) ^ i) >>> 0
  );
}

function formatTable(rows: { size: Size; summary: BatchSummary }[]): string {
  const header = [
    'size',
    'algorithm',
    'clusters',
    'wanted',
    'placed',
    'unplaced',
    'by bells',
    'complete',
    'hard',
    'soft total',
    'soft/cluster',
    'total s',
    'p50 ms',
    'p95 ms',
    'max ms',
  ];
  const body = rows.map(({ size, summary: s }) => [
    size,
    s.algorithm,
    String(s.clusters),
    String(s.wanted),
    String(s.placed),
    String(s.unplaced),
    String(s.impossibleByBells),
    String(s.clustersComplete),
    String(s.hardViolations),
    s.softScore.toFixed(0),
    s.softPerCluster.toFixed(2),
    s.totalSeconds.toFixed(2),
    s.p50Ms.toFixed(2),
    s.p95Ms.toFixed(2),
    s.maxMs.toFixed(2),
  ]);
  const reasons = rows.map(
    ({ size, summary: s }) =>
      `${size} ${s.algorithm}: unplaced by main reason ${JSON.stringify(s.unplacedBy)}; soft parts ${JSON.stringify(s.soft)}`,
  );
  return [...textTable(header, body), '', ...reasons].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions();
  const date = new Date();
  const rows: { size: Size; summary: BatchSummary }[] = [];
  for (const size of options.sizes) {
    const { clusters, timeLimitMs, stallIterations } = SIZES[size];
    progress(`${size}: generating ${clusters} clusters`);
    const problems = Array.from({ length: clusters }, (_, i) =>
      generateCluster(clusterSeed(options.seed, size, i), `${size}-${i + 1}`),
    );
    for (const algorithm of ['solver', 'greedy'] as const) {
      progress(`${size}: ${algorithm}`);
      rows.push({
        size,
        summary: runBatch(problems, algorithm, { timeLimitMs, stallIterations, seed: options.seed }),
      });
    }
  }

  // The editor's check on the largest cluster shape: 1+4, six offerings of three periods, on
  // aligned bells and lighter local timetables so that most of its sessions are placed.
  progress('incremental check');
  const big = generateCluster(clusterSeed(options.seed, 'cluster', 999), 'editor', {
    receiving: 4,
    offerings: 6,
    periodsPerWeek: 3,
    aligned: true,
    classBusy: 0.3,
  });
  const solved = solve(big, { timeLimitMs: 500, seed: options.seed });
  const incremental = timeIncremental(big, solved.sessions, options.moves, options.seed);

  console.log(
    'Joint timetable: solver (construction + local search) vs greedy baseline on generated clusters; ' +
      'hard = breaches found by checkTimetable (must be 0); by bells = wanted sessions no slot can take at 90% overlap\n',
  );
  console.log(formatTable(rows));
  const c = incremental.conflictsOf;
  const r = incremental.createAndCheck;
  console.log(
    `\nincremental check (1+4 cluster, ${incremental.sessions} sessions, ${incremental.moves} random moves, ` +
      `${(incremental.conflictingShare * 100).toFixed(0)}% conflicting): conflictsOf mean ${c.meanUs.toFixed(1)} µs, ` +
      `p99 ${c.p99Us.toFixed(1)} µs, max ${c.maxUs.toFixed(1)} µs; Timetable.create + conflictsOf mean ` +
      `${r.meanUs.toFixed(1)} µs, p99 ${r.p99Us.toFixed(1)} µs`,
  );

  const result = {
    date: date.toISOString(),
    environment: machine(),
    settings: {
      ...options,
      sizes: options.sizes.map((s) => ({ size: s, ...SIZES[s] })),
      stallIterations: 3000,
    },
    results: rows,
    incremental,
  };
  await writeResults('scheduler', date, result);
  if (rows.some((row) => row.summary.hardViolations > 0)) {
    process.stderr.write('broken solver: some output breaks a hard rule\n');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
