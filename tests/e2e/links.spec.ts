import { expect, test } from './lib/test.ts';
import type { Browser, Page } from '@playwright/test';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchChromium, openAs, startLabServer } from './lib/linkLesson.ts';
import type { LabServer } from './lib/linkLesson.ts';
import { sampleMedia } from './lib/mediaStats.ts';
import type { MediaSample } from './lib/mediaStats.ts';
import { LinkLab } from './lib/netns.ts';
import type { SchoolLink } from './lib/netns.ts';

/**
 * Three rural classrooms on shaped school links, each kiosk in its own network namespace
 * (rate cap, loss and delay on both directions), the teacher on the host: a healthy link, a
 * thin lossy one, and one cut for 20 s (longer than Chromium keeps ICE up without an answer, some
 * 15 s: the kiosk restarts ICE on the same connections). Needs root (as the CI runs); fails, never skips,
 * where namespaces cannot be made.
 */
// Generous waits for the healthy link's top layer: a failed move up doubles the wait before the
// next (sfu/downlink.ts). Four browsers, a server and the delayers stand in for five machines on
// two cores, all of them busy: the lab runs in a CPU group of its own (lib/cpuPriority.ts) and
// raises the threads that stamp packet times (mediasoup, Chromium's network service and WebRTC
// threads, the delayers) above the encoders, decoders and compositors, as separate machines
// would keep them apart; without that, the delay-based estimates of idle links collapsed to
// 0.1–0.5 Mbit/s and the healthy classroom got its top layer only by luck. No retry: a failure
// shows what the healthy classroom was sent, its estimate, and what the teacher's browser sent.
test.describe.configure({ timeout: 360_000 });

const HEALTHY = { rateKbit: 6000 };
const THIN = { rateKbit: 1000, lossPct: 3, delayMs: 80 };
const CUT_MS = 20_000;

let lab: LinkLab | undefined;
let server: LabServer | undefined;
const browsers: Browser[] = [];

test.beforeAll(async () => {
  lab = LinkLab.create(3);
  server = await startLabServer(lab);
});

test.afterAll(async () => {
  await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => undefined)));
  await server?.close();
  lab?.destroy();
});

/** The SFU's view of a kiosk, from its connection indicator: the teacher camera layer it is sent. */
async function servedLayer(page: Page): Promise<number | null> {
  const value = await page.getByTestId('connection').getAttribute('data-camera-layer');
  return value ? Number(value) : null;
}

/**
 * The layer and, to explain a failure, the SFU's estimate, the received height and the layers
 * the teacher's browser sends (`<rid>:<height>p/<qualityLimitationReason>`).
 */
async function served(
  page: Page,
  studio: Page,
): Promise<{ layer: number | null; estimateKbps: number; height: number; teacherSends: string }> {
  return {
    layer: await servedLayer(page),
    estimateKbps: Number(await page.getByTestId('connection').getAttribute('data-available-kbps')),
    height: (await sampleMedia(page)).video.frameHeight,
    teacherSends: (await sampleMedia(studio)).sent.layers.sort().join(' '),
  };
}

/**
 * What a page received between two samples. A page that set up its media again in between (a
 * rejoin: more connections opened) counts from its new connections, all opened after `a`.
 */
function receivedBetween(
  a: MediaSample,
  b: MediaSample,
): { frames: number; videoBytes: number; audioPackets: number } {
  const from = b.opened === a.opened ? a : undefined;
  return {
    frames: b.video.framesDecoded - (from?.video.framesDecoded ?? 0),
    videoBytes: b.video.bytesReceived - (from?.video.bytesReceived ?? 0),
    audioPackets: b.audio.packetsReceived - (from?.audio.packetsReceived ?? 0),
  };
}

/** What a kiosk shows and holds, to explain a failure: its state, link badge and connections. */
async function kioskView(
  page: Page,
  before: MediaSample,
  after: MediaSample,
): Promise<Record<string, unknown>> {
  const connection = page.getByTestId('connection');
  return {
    lesson: await page.getByTestId('lesson-state').getAttribute('data-state'),
    quality: await connection.getAttribute('data-quality'),
    audioPackets: await connection.getAttribute('data-audio-packets'),
    connections: { opened: [before.opened, after.opened], states: [before.states, after.states] },
    received: {
      frames: [before.video.framesDecoded, after.video.framesDecoded],
      audioPackets: [before.audio.packetsReceived, after.audio.packetsReceived],
    },
  };
}

/** Polls the healthy classroom until it matches `expected`; a failure says what it and the teacher were sending. */
async function expectHealthy(
  healthy: Page,
  studio: Page,
  expected: { layer: number; height?: number },
  timeout: number,
): Promise<void> {
  let last: Awaited<ReturnType<typeof served>> | undefined;
  try {
    await expect
      .poll(async () => (last = await served(healthy, studio)), { timeout })
      .toMatchObject(expected);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nthe healthy classroom last: ${JSON.stringify(last)}`, {
      cause: error,
    });
  }
}

test('on thin school links audio carries on, a thin link gets a lower layer than a healthy one, and a cut link resumes by itself', async () => {
  const { origin } = server!;
  const [healthyLink, thinLink, cutLink] = lab!.links as [SchoolLink, SchoolLink, SchoolLink];
  await healthyLink.shape(HEALTHY);
  await thinLink.shape(THIN);
  await cutLink.shape(HEALTHY);

  const launched = await Promise.all([
    launchChromium(lab!, origin, null),
    launchChromium(lab!, origin, healthyLink),
    launchChromium(lab!, origin, thinLink),
    launchChromium(lab!, origin, cutLink),
  ]);
  browsers.push(...launched);
  const [teacherBrowser, ...kioskBrowsers] = launched;
  const [healthy, thin, cut] = await Promise.all(
    kioskBrowsers.map((b, i) => openAs(b, origin, `classroom${i + 1}`, '/classroom')),
  );
  const studio = await openAs(teacherBrowser, origin, 'teacher', '/studio');
  await studio.getByTestId('lesson-start').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');

  // Every kiosk decodes the teacher and hears audio, the thin one included.
  for (const page of [healthy!, thin!, cut!]) {
    await expect
      .poll(async () => (await sampleMedia(page)).video.framesDecoded, { timeout: 45_000 })
      .toBeGreaterThan(10);
    await expect
      .poll(async () => (await sampleMedia(page)).audio.packetsReceived, { timeout: 30_000 })
      .toBeGreaterThan(50);
  }

  // The thin link is sent a lower layer than the healthy one, which keeps the top layer.
  await expectHealthy(healthy!, studio, { layer: 2 }, 150_000);
  await expect
    .poll(
      async () => {
        const layer = await servedLayer(thin!);
        const [t, h] = await Promise.all([sampleMedia(thin!), sampleMedia(healthy!)]);
        return (
          layer !== null && layer < 2 && t.video.frameHeight > 0 && t.video.frameHeight < h.video.frameHeight
        );
      },
      { timeout: 45_000, message: 'the thin classroom receives a lower layer than the healthy one' },
    )
    .toBe(true);

  // Over a stretch of the lesson, the thin classroom's audio keeps coming with little concealed.
  const before = await sampleMedia(thin!);
  let after: MediaSample = before;
  await expect
    .poll(
      async () => {
        after = await sampleMedia(thin!);
        return after.at - before.at;
      },
      { timeout: 30_000, intervals: [1000] },
    )
    .toBeGreaterThan(8000);
  const seconds = (after.at - before.at) / 1000;
  const packets = after.audio.packetsReceived - before.audio.packetsReceived;
  // Opus sends 50 packets a second (20 ms frames); 3 % loss each way leaves well over 40.
  expect(packets / seconds).toBeGreaterThan(40);
  const samples = after.audio.totalSamplesReceived - before.audio.totalSamplesReceived;
  const concealed = after.audio.concealedSamples - before.audio.concealedSamples;
  expect(samples).toBeGreaterThan(0);
  expect(concealed / samples).toBeLessThan(0.08);
  await expectHealthy(healthy!, studio, { layer: 2, height: 720 }, 90_000);

  // The cut classroom: 20 s without a single packet, then it resumes on its own. Two
  // samples inside the cut show it real; the cut lasts until both are back (a page that is slow
  // to answer must not see packets from before or after it).
  cutLink.setCut(true);
  const cutAt = Date.now();
  await sleep(1000);
  const inCut = await sampleMedia(cut!);
  await sleep(2000);
  const laterInCut = await sampleMedia(cut!);
  await sleep(Math.max(0, CUT_MS - (Date.now() - cutAt)));
  cutLink.setCut(false);
  const cutLasted = Date.now() - cutAt;
  const postCut = await sampleMedia(cut!);
  let now: MediaSample = postCut;
  try {
    await expect
      .poll(
        async () => {
          now = await sampleMedia(cut!);
          const got = receivedBetween(postCut, now);
          return { video: got.frames > 25, audio: got.audioPackets > 100 };
        },
        { timeout: 30_000, message: 'video and audio resume at the cut classroom' },
      )
      .toEqual({ video: true, audio: true });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nthe cut lasted ${cutLasted} ms; the cut classroom then: ${JSON.stringify(
        await kioskView(cut!, postCut, now),
      )}`,
      { cause: error },
    );
  }
  console.log(
    `[links] cut ${(cutLasted / 1000).toFixed(1)} s; media back ${((now.at - postCut.at) / 1000).toFixed(1)} s after, ` +
      (now.opened === postCut.opened ? 'on the same connections' : 'after the kiosk set up its media again'),
  );
  // The cut was real: nothing arrived in 2 s of it (50 audio packets a second otherwise).
  expect(receivedBetween(inCut, laterInCut)).toEqual({ frames: 0, videoBytes: 0, audioPackets: 0 });
  // Its socket and its media on the server outlived the cut: ICE restarted on the connections it had.
  expect(now.opened, 'the cut kiosk kept its connections (an ICE restart, not a new setup)').toBe(
    postCut.opened,
  );
  await expect(cut!.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');

  await studio.getByTestId('lesson-end').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'ended');
});
