import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { launchChromium, openAs, startLabServer } from './lib/linkLesson.ts';
import type { LabServer } from './lib/linkLesson.ts';
import { sampleMedia } from './lib/mediaStats.ts';
import type { MediaSample } from './lib/mediaStats.ts';
import { LinkLab } from './lib/netns.ts';
import type { SchoolLink } from './lib/netns.ts';

/**
 * Three rural classrooms on shaped school links, each kiosk in its own network namespace
 * (rate cap, loss and delay on both directions), the teacher on the host: a healthy link, a
 * thin lossy one, and one cut for 5 s. Needs root (as the CI runs); fails, never skips,
 * where namespaces cannot be made.
 */
// Generous waits for the healthy link's top layer: a CPU stall reads as congestion to the
// delay-based bandwidth estimates, and a failed move up doubles the wait before the next
// (sfu/downlink.ts). The lab runs in a CPU group of its own (lib/cpuPriority.ts) so that other
// work on the machine does not stall it, and the teacher's browser keeps its 720p layer at 720p
// when short of CPU (client/src/media/LessonClient.ts). No retry: a failure shows what the
// healthy classroom was sent, its estimate, and what the teacher's browser sent and why.
// KNOWN FLAKY (issue 16 item 10, open): the healthy link's top layer depends on the machine's
// CPU (the bandwidth estimates collapse when the 2 cores are busy). It failed alone on an idle
// machine at the end of the 2026-12-07 session, so the one retry the landed tree had is kept
// until the cause is fixed; do not add retries elsewhere.
test.describe.configure({ timeout: 360_000, retries: 1 });

const HEALTHY = { rateKbit: 6000 };
const THIN = { rateKbit: 1000, lossPct: 3, delayMs: 80 };
const CUT_MS = 5000;

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

  // The cut classroom: 5 s without a single packet, then it resumes on its own.
  const preCut = await sampleMedia(cut!);
  cutLink.setCut(true);
  await new Promise((r) => setTimeout(r, CUT_MS));
  cutLink.setCut(false);
  const postCut = await sampleMedia(cut!);
  await expect
    .poll(
      async () => {
        const now = await sampleMedia(cut!);
        return {
          video: now.video.framesDecoded - postCut.video.framesDecoded > 25,
          audio: now.audio.packetsReceived - postCut.audio.packetsReceived > 100,
        };
      },
      { timeout: 30_000, message: 'video and audio resume at the cut classroom' },
    )
    .toEqual({ video: true, audio: true });
  // The cut was real: next to nothing arrived in those 5 s (50 audio packets a second otherwise).
  expect(postCut.audio.packetsReceived - preCut.audio.packetsReceived).toBeLessThan(60);
  await expect(cut!.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');

  await studio.getByTestId('lesson-end').click();
  await expect(studio.getByTestId('lesson-state')).toHaveAttribute('data-state', 'ended');
});
