/**
 * bench:links — the teacher's lesson over shaped school links, in real Chromium.
 *
 * The platform runs as its own process on a host address; the teacher's browser on the host
 * sends a 720p camera in three simulcast layers; each classroom kiosk runs in its own network
 * namespace behind a veth link shaped by tests/e2e/lib/netns.ts (tbf rate, random loss and a
 * one-way delay on both directions). For every link cap (default 6, 4, 2 and 1 Mbit/s) one
 * round runs three classrooms at once, one per loss rate (default 0, 2 and 5 %): each joins on
 * an open link and settles on the top layer, then its link is shaped and it is sampled every
 * 200 ms for `--window` seconds.
 *
 * Per classroom: time to adapt (from shaping until the received picture first got smaller),
 * the picture's size changes,
 * freezes (Chromium's freezeCount / totalFreezesDuration, and the longest stretch without a new
 * decoded frame, over the window and from 10 s after shaping on), audio gaps (sampling intervals in which no audio packet arrived, and the
 * longest such stretch), concealed audio, the received height and bitrate over the window's
 * second half. Goals (issue #7): no audio gap and no freeze over 1 s at 1 Mbit/s; adapt
 * within 3 s.
 *
 * Needs root (namespaces, tc, iptables). Prints a table and writes JSON to bench/results/.
 *
 *   npm run bench:links
 *   npm run bench:links -- --caps=1000 --losses=0,5 --window=20     # a quick run
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { z } from 'zod';
import { launchChromium, openAs, startLabServer } from '../tests/e2e/lib/linkLesson.ts';
import { waitFor } from '../tests/helpers/media.ts';
import { sampleMedia } from '../tests/e2e/lib/mediaStats.ts';
import type { MediaSample } from '../tests/e2e/lib/mediaStats.ts';
import { LinkLab } from '../tests/e2e/lib/netns.ts';
import { machine, textTable, writeResults } from './lib/results.ts';

const List = z
  .string()
  .transform((s) => s.split(',').map(Number))
  .pipe(z.array(z.number().nonnegative()).min(1));
const Options = z.object({
  caps: List.pipe(z.array(z.number().int().min(200).max(100_000)).min(1)),
  losses: List.pipe(z.array(z.number().max(20)).min(1).max(4)),
  delay: z.coerce.number().int().min(0).max(500),
  window: z.coerce.number().int().min(10).max(300),
});
type Options = z.infer<typeof Options>;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      caps: { type: 'string', default: '6000,4000,2000,1000' },
      losses: { type: 'string', default: '0,2,5' },
      delay: { type: 'string', default: '20' },
      window: { type: 'string', default: '45' },
    },
  });
  return Options.parse(values);
}

/** An open link before the cap: well above what the lesson sends a classroom. */
const OPEN = { rateKbit: 20_000 };
const SAMPLE_MS = 200;
/** From shaping until the classroom has adapted, for the settled figures, ms. */
const SETTLE_MS = 10_000;
/** The goals' thresholds. */
const GOAL = { adaptMs: 3000, freezeMs: 1000, capKbit: 1000 };
/** What the teacher's top layer needs with audio, kbit/s (client/src/media/LessonClient.ts). */
const TOP_LAYER_KBIT = 1264;

interface Sample {
  /** ms since the link was shaped. */
  t: number;
  media: MediaSample;
}

interface Outcome {
  capKbit: number;
  lossPct: number;
  delayMs: number;
  /** Received height before shaping (the top layer is 720). */
  startHeight: number;
  /** Received height at the end of the window. */
  endHeight: number;
  /** From shaping until the received picture first got smaller, ms; null when it never did. */
  adaptMs: number | null;
  /** Changes of the received picture's size in the window (down and up). */
  switches: number;
  freezeCount: number;
  freezeMs: number;
  /** Longest stretch without a newly decoded frame, ms (to the sampling's 200 ms). */
  longestFrameGapMs: number;
  /** The same from `SETTLE_MS` after shaping on: the link as the classroom lives with it. */
  settledFrameGapMs: number;
  /** Sampling intervals without a single audio packet. */
  audioGaps: number;
  /** Longest stretch without an audio packet, ms (0 when every interval had some). */
  longestAudioGapMs: number;
  /** Share of received audio samples concealed (lost or late), %. */
  concealedPct: number;
  /** Received over the window's second half, kbit/s. */
  videoKbps: number;
  audioKbps: number;
  /** The SFU's bandwidth estimate for the classroom at the end, kbit/s. */
  estimateKbps: number;
}

/** Longest run of consecutive intervals in which `count` did not grow, ms (0 when none). */
function longestStall(samples: readonly Sample[], count: (s: MediaSample) => number): number {
  let longest = 0;
  let since: number | null = null;
  for (let i = 1; i < samples.length; i++) {
    const grew = count(samples[i]!.media) > count(samples[i - 1]!.media);
    if (!grew) since ??= samples[i - 1]!.t;
    else if (since !== null) {
      longest = Math.max(longest, samples[i]!.t - since);
      since = null;
    }
  }
  if (since !== null) longest = Math.max(longest, samples.at(-1)!.t - since);
  return longest;
}

function summarize(
  shape: { capKbit: number; lossPct: number; delayMs: number },
  startHeight: number,
  samples: readonly Sample[],
  estimateKbps: number,
): Outcome {
  const first = samples[0]!.media;
  const last = samples.at(-1)!.media;
  const endHeight = last.video.frameHeight;
  let adaptMs: number | null = null;
  let switches = 0;
  for (let i = 1; i < samples.length; i++) {
    const [before, now] = [samples[i - 1]!.media.video.frameHeight, samples[i]!.media.video.frameHeight];
    if (before === 0 || now === 0 || before === now) continue;
    switches++;
    if (now < before) adaptMs ??= samples[i]!.t;
  }
  const half = samples[Math.floor(samples.length / 2)]!;
  const seconds = (samples.at(-1)!.t - half.t) / 1000;
  const kbps = (bytes: number, before: number): number => Math.round(((bytes - before) * 8) / 1000 / seconds);
  const audioGaps = samples
    .slice(1)
    .filter((s, i) => s.media.audio.packetsReceived === samples[i]!.media.audio.packetsReceived).length;
  const received = last.audio.totalSamplesReceived - first.audio.totalSamplesReceived;
  const concealed = last.audio.concealedSamples - first.audio.concealedSamples;
  return {
    ...shape,
    startHeight,
    endHeight,
    adaptMs,
    switches,
    freezeCount: last.video.freezeCount - first.video.freezeCount,
    freezeMs: Math.round((last.video.totalFreezesDuration - first.video.totalFreezesDuration) * 1000),
    longestFrameGapMs: longestStall(samples, (m) => m.video.framesDecoded),
    settledFrameGapMs: longestStall(
      samples.filter((x) => x.t >= SETTLE_MS),
      (m) => m.video.framesDecoded,
    ),
    audioGaps,
    longestAudioGapMs: longestStall(samples, (m) => m.audio.packetsReceived),
    concealedPct: received > 0 ? Math.round((1000 * concealed) / received) / 10 : 0,
    videoKbps: kbps(last.video.bytesReceived, half.media.video.bytesReceived),
    audioKbps: kbps(last.audio.bytesReceived, half.media.audio.bytesReceived),
    estimateKbps,
  };
}

async function estimateKbps(page: Page): Promise<number> {
  return Number((await page.getByTestId('connection').getAttribute('data-available-kbps')) ?? 0);
}

/** One cap: a kiosk per loss rate joins on an open link, settles on the top layer, then is shaped and sampled. */
async function round(lab: LinkLab, origin: string, capKbit: number, options: Options): Promise<Outcome[]> {
  const links = lab.links.slice(0, options.losses.length);
  const browsers: Browser[] = [];
  try {
    for (const link of links) await link.shape(OPEN);
    for (const link of links) browsers.push(await launchChromium(lab, origin, link));
    const pages = await Promise.all(
      browsers.map((b, i) => openAs(b, origin, `classroom${i + 1}`, '/classroom')),
    );
    // Each classroom settles on the top layer (720p), or shows what it has after 90 s.
    const startHeights = await Promise.all(
      pages.map(async (page) => {
        await waitFor(async () => (await sampleMedia(page)).video.frameHeight >= 720, 90_000, 500);
        return (await sampleMedia(page)).video.frameHeight;
      }),
    );
    const shapes = options.losses.map((lossPct) => ({ capKbit, lossPct, delayMs: options.delay }));
    await Promise.all(
      links.map((link, i) =>
        link.shape({ rateKbit: capKbit, lossPct: shapes[i]!.lossPct, delayMs: shapes[i]!.delayMs }),
      ),
    );
    const shapedAt = Date.now();
    const series: Sample[][] = pages.map(() => []);
    while (Date.now() - shapedAt < options.window * 1000) {
      const t = Date.now() - shapedAt;
      const media = await Promise.all(pages.map((p) => sampleMedia(p)));
      media.forEach((m, i) => series[i]!.push({ t, media: m }));
      await sleep(Math.max(0, SAMPLE_MS - (Date.now() - shapedAt - t)));
    }
    const estimates = await Promise.all(pages.map(estimateKbps));
    return shapes.map((shape, i) => summarize(shape, startHeights[i]!, series[i]!, estimates[i]!));
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const started = new Date();
  const lab = LinkLab.create(options.losses.length);
  const browsers: Browser[] = [];
  const server = await startLabServer(lab).catch((error: unknown) => {
    lab.destroy();
    throw error;
  });
  try {
    const teacher = await launchChromium(lab, server.origin, null);
    browsers.push(teacher);
    const studio = await openAs(teacher, server.origin, 'teacher', '/studio');
    await studio.getByTestId('lesson-start').click();
    await studio.locator('[data-testid="lesson-state"][data-state="live"]').waitFor({ timeout: 30_000 });
    console.log(
      `bench:links — caps ${options.caps.join(', ')} kbit/s × loss ${options.losses.join(', ')} %, ` +
        `${options.delay} ms each way, ${options.window} s per round`,
    );
    const outcomes: Outcome[] = [];
    for (const cap of options.caps) {
      const roundStart = Date.now();
      const got = await round(lab, server.origin, cap, options);
      outcomes.push(...got);
      console.log(`  ${cap} kbit/s done in ${Math.round((Date.now() - roundStart) / 1000)} s`);
    }
    const rows = outcomes.map((o) => [
      `${o.capKbit / 1000} Mbit/s`,
      `${o.lossPct} %`,
      `${o.startHeight}p→${o.endHeight}p`,
      o.adaptMs === null ? '–' : (o.adaptMs / 1000).toFixed(1),
      String(o.switches),
      String(o.freezeCount),
      (o.freezeMs / 1000).toFixed(1),
      (o.longestFrameGapMs / 1000).toFixed(1),
      (o.settledFrameGapMs / 1000).toFixed(1),
      String(o.audioGaps),
      (o.longestAudioGapMs / 1000).toFixed(1),
      o.concealedPct.toFixed(1),
      String(o.videoKbps),
      String(o.audioKbps),
      String(o.estimateKbps),
    ]);
    console.log('');
    for (const line of textTable(
      [
        'link',
        'loss',
        'picture',
        'adapt s',
        'switches',
        'freezes',
        'frozen s',
        'longest frame gap s',
        'after 10 s',
        'audio gaps',
        'longest audio gap s',
        'concealed %',
        'video kbit/s',
        'audio kbit/s',
        'estimate kbit/s',
      ],
      rows,
    ))
      console.log(`  ${line}`);
    const atGoalCap = outcomes.filter((o) => o.capKbit === GOAL.capKbit);
    const goals = {
      noAudioGapAt1Mbit: atGoalCap.length ? atGoalCap.every((o) => o.audioGaps === 0) : null,
      noFreezeOver1sAt1Mbit: atGoalCap.length
        ? atGoalCap.every((o) => o.longestFrameGapMs < GOAL.freezeMs)
        : null,
      noFreezeOver1sAt1MbitOnceAdapted: atGoalCap.length
        ? atGoalCap.every((o) => o.settledFrameGapMs < GOAL.freezeMs)
        : null,
      // Where the top layer (1.2 Mbit/s with audio) cannot fit the link, the picture shrinks in time.
      adaptWithin3s: outcomes
        .filter((o) => o.capKbit < TOP_LAYER_KBIT)
        .every((o) => o.adaptMs !== null && o.adaptMs <= GOAL.adaptMs),
    };
    console.log(`\n  goals: ${JSON.stringify(goals)}`);
    await writeResults('links', started, {
      benchmark: 'links',
      date: started.toISOString(),
      machine: machine(),
      options,
      goals,
      outcomes,
    });
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await server.close();
    lab.destroy();
  }
}

await main();
