/**
 * SFU fan-out benchmark: one sender (ffmpeg, VP8 + Opus over RTP) fanned out to K receivers,
 * through the platform's `sfu` module and through a bare mediasoup script doing the same
 * forwarding, in the same run. Prints worker CPU per forwarded stream and memory, the
 * platform/bare ratios, and writes JSON to bench/results/.
 *
 *   node --import tsx bench/sfu.ts [--ks 8,32,128] [--seconds 20] [--warmup 5] [--pairs 2]
 *
 * `BENCH_SECONDS` sets the default of `--seconds`. Exits 1 if a receiver got no packets.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as mediasoup from 'mediasoup';
import { z } from 'zod';
import type { FanoutPath } from './lib/fanout.ts';
import { formatTable, summarize } from './lib/report.ts';
import { runOnce, SilentReceiverError } from './lib/run.ts';
import type { RunResult } from './lib/run.ts';
import { RtpSink } from './lib/sink.ts';
import { DEFAULT_SOURCE } from './lib/source.ts';
import { machine, writeResults } from './lib/results.ts';

const Options = z.object({
  ks: z
    .string()
    .transform((s) => s.split(',').map((k) => Number(k.trim())))
    .pipe(z.array(z.number().int().min(1).max(500)).min(1)),
  seconds: z.coerce.number().positive().max(600),
  warmup: z.coerce.number().min(2).max(60),
  pairs: z.coerce.number().int().min(1).max(10),
});

function parseOptions(): z.infer<typeof Options> {
  const { values } = parseArgs({
    options: {
      ks: { type: 'string', default: '8,32,128' },
      seconds: { type: 'string', default: process.env['BENCH_SECONDS'] ?? '20' },
      warmup: { type: 'string', default: '5' },
      pairs: { type: 'string', default: '2' },
    },
  });
  return Options.parse(values);
}

function environment(): Record<string, unknown> {
  let ffmpeg = 'unknown';
  try {
    ffmpeg = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? ffmpeg;
  } catch {
    // Reported as unknown; the runs themselves fail clearly if ffmpeg is missing.
  }
  return { ...machine(), mediasoup: mediasoup.version, mediasoupWorker: mediasoup.workerBin, ffmpeg };
}

/** ABBA order per two pairs of runs, so that drift (heat, caches, other load) hits both paths alike. */
function order(pairs: number): FanoutPath[] {
  return Array.from({ length: pairs }, (_, i): FanoutPath[] =>
    i % 2 === 0 ? ['platform', 'bare'] : ['bare', 'platform'],
  ).flat();
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const date = new Date();
  const runs: RunResult[] = [];
  const runSeconds = options.warmup + options.seconds;
  // A hard bound on the whole bench: a hung setup must not keep it running.
  const budgetMs = options.ks.length * (options.pairs * 2 + 2) * (runSeconds + 60) * 1000;
  setTimeout(() => {
    process.stderr.write(`bench exceeded its time budget (${budgetMs / 1000} s)\n`);
    process.exit(1);
  }, budgetMs).unref();

  for (const k of options.ks) {
    const sinks = await Promise.all(Array.from({ length: k }, () => RtpSink.open()));
    try {
      // One short unmeasured run of each path first: the first run in a process pays for
      // compilation and allocator growth (setup and the sinks' receive path) that later ones do not.
      for (const path of ['platform', 'bare'] as const) {
        progress(`K=${k} ${path} (priming)`);
        await runOnce(path, sinks, { warmupSeconds: options.warmup, seconds: 1, source: DEFAULT_SOURCE });
      }
      for (const [i, path] of order(options.pairs).entries()) {
        progress(`K=${k} ${path} (${i + 1}/${options.pairs * 2}, ${runSeconds} s)`);
        const timing = { warmupSeconds: options.warmup, seconds: options.seconds, source: DEFAULT_SOURCE };
        runs.push(await runOnce(path, sinks, timing));
      }
    } finally {
      sinks.forEach((s) => s.close());
    }
  }

  const summaries = summarize(runs);
  const source = DEFAULT_SOURCE;
  console.log(
    `SFU fan-out, platform (sfu/) vs bare mediasoup: ${source.size}@${source.fps} VP8 ` +
      `${source.videoKbps} kbit/s + Opus ${source.audioKbps} kbit/s, ${options.seconds} s windows ` +
      `after ${options.warmup} s warm-up, medians of ${options.pairs} runs per path\n`,
  );
  console.log(formatTable(summaries));

  const result = {
    date: date.toISOString(),
    environment: environment(),
    settings: { ...options, source, order: order(options.pairs) },
    summaries,
    runs,
  };
  await writeResults('sfu', date, result);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      error instanceof SilentReceiverError
        ? `broken bench: ${error.message}\n`
        : `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
