/**
 * bench:inspection — what the 巡课 wall costs its viewer (issue 17 item 1).
 *
 * Goal: a wall of 16 lessons costs the viewer ≤ 2 Mbit/s. The platform runs in this process
 * (one mediasoup worker, embedded FerretDB); `--lessons` teachers teach live from Chromium
 * studios (a 1280×720 15 fps testsrc2 camera: the product's three simulcast layers, a busier
 * picture than a teacher at a blackboard); the viewer is the inspector's wall page in the same
 * Chromium, opened `--walls` times, so that `--lessons × --walls` tiles (16 by default) each
 * receive a teacher's camera through their own observer peer, exactly as the wall does. What
 * the viewer receives is summed from the pages' own RTCPeerConnection statistics.
 *
 * Baseline, same run: each lesson opened in full (`/inspection?lesson=`, no tile budget) — what a
 * tile would cost if it received the teacher's camera as a classroom does — times 16.
 *
 * Left out: sixteen distinct lessons (the 16 tiles watch `--lessons` lessons, each several
 * times: the cost per tile is that tile's transport, whichever lesson it shows); real cameras
 * (testsrc2 moves everywhere, a real classroom picture encodes smaller); a thin viewer link (the
 * budget is enforced by the SFU whatever the link); the wall's REST polling (a few kB every 10 s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { hashPassword } from '../server/auth/passwords.ts';
import { TILE_KBPS } from '../server/inspection/Watch.ts';
import { CHROMIUM_PATH } from '../tests/e2e/lib/chromium.ts';
import { lessonChromiumArgs, makeTeacherVideo } from '../tests/e2e/lib/linkLesson.ts';
import { sampleMedia, trackPeerConnections } from '../tests/e2e/lib/mediaStats.ts';
import { removeDataDir, startPlatform } from '../tests/helpers/platform.ts';
import { waitFor } from '../tests/helpers/media.ts';
import { machine, textTable, writeResults } from './lib/results.ts';

const GOAL_KBPS = 2000;
const WALL_TILES = 16;
const BENCH_PASSWORD = 'bench-inspection-2026';

const { values: args } = parseArgs({
  options: {
    lessons: { type: 'string', default: '4' },
    walls: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '15' },
  },
});
const LESSONS = Number(args.lessons);
const WALLS = Number(args.walls);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);

/** Opens `pathName` in a fresh context of `browser`, signed in as `username`, its peer connections tracked. */
async function openAs(
  browser: Browser,
  origin: string,
  username: string,
  password: string,
  pathName: string,
): Promise<Page> {
  const context = await browser.newContext({
    baseURL: origin,
    locale: 'zh-CN',
    viewport: { width: 1024, height: 640 },
    permissions: ['camera', 'microphone'],
  });
  await trackPeerConnections(context);
  const page = await context.newPage();
  const res = await page.request.post('/api/auth/login', { data: { username, password } });
  if (!res.ok()) throw new Error(`sign-in as ${username}: ${res.status()} ${await res.text()}`);
  await page.goto(pathName);
  return page;
}

/** Video and audio kbit/s received by `pages` together over `seconds`, and the tallest frame. */
async function received(
  pages: Page[],
  seconds: number,
): Promise<{ videoKbps: number; audioKbps: number; frameHeight: number }> {
  const before = await Promise.all(pages.map((p) => sampleMedia(p)));
  await sleep(seconds * 1000);
  const after = await Promise.all(pages.map((p) => sampleMedia(p)));
  let video = 0;
  let audio = 0;
  let ms = 0;
  let frameHeight = 0;
  for (const [i, a] of after.entries()) {
    const b = before[i]!;
    video += a.video.bytesReceived - b.video.bytesReceived;
    audio += a.audio.bytesReceived - b.audio.bytesReceived;
    ms = Math.max(ms, a.at - b.at);
    frameHeight = Math.max(frameHeight, a.video.frameHeight);
  }
  return {
    videoKbps: Math.round((video * 8) / ms),
    audioKbps: Math.round((audio * 8) / ms),
    frameHeight,
  };
}

async function main(): Promise<void> {
  const started = new Date();
  const t = await startPlatform({ env: { SFU_WORKERS: '1', DEMO_LESSON_MINUTES: '120' } });
  const m = t.platform.models;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-inspection-'));
  let browser: Browser | null = null;
  try {
    // The demo lesson and LESSONS - 1 more, each its own teacher, live at once.
    const demo = (await m.Lesson.findOne({ state: 'scheduled' }).lean())!;
    const demoTeacher = (await m.User.findOne({ username: 'teacher' }).lean())!;
    const teachers: { username: string; password: string }[] = [
      { username: 'teacher', password: 'demo2026' },
    ];
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    for (let i = 1; i < LESSONS; i++) {
      const username = `bench.teacher${i}`;
      const user = await m.User.create({
        username,
        passwordHash,
        realName: `巡课基准教师${i}`,
        role: 'teacher',
        schoolId: demoTeacher.schoolId,
      });
      await m.Lesson.create({
        clusterId: demo.clusterId,
        title: `基准课 ${i}`,
        subject: '英语',
        grade: 4,
        teacherId: user._id,
        hubClassroomId: demo.hubClassroomId,
        classroomIds: demo.classroomIds,
        scheduledStart: demo.scheduledStart,
        scheduledEnd: demo.scheduledEnd,
      });
      teachers.push({ username, password: BENCH_PASSWORD });
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: lessonChromiumArgs(t.url, makeTeacherVideo(dir)),
    });
    const studios: Page[] = [];
    for (const teacher of teachers) {
      const studio = await openAs(browser, t.url, teacher.username, teacher.password, '/studio');
      await studio.getByTestId('lesson-start').click();
      await studio
        .getByTestId('lesson-state')
        .and(studio.locator('[data-state="live"]'))
        .waitFor({ timeout: 60_000 });
      studios.push(studio);
    }
    console.log(`${LESSONS} lessons live; opening ${WALLS} walls (${LESSONS * WALLS} tiles)`);

    const walls: Page[] = [];
    for (let i = 0; i < WALLS; i++)
      walls.push(await openAs(browser, t.url, 'inspector', 'demo2026', '/inspection'));
    for (const wall of walls)
      await waitFor(
        async () =>
          (await wall.locator('[data-testid="wall-tile"][data-media="watching"]').count()) === LESSONS,
        90_000,
      );
    await sleep(WARMUP * 1000);
    const tiles = LESSONS * WALLS;
    const wall = await received(walls, SECONDS);
    for (const page of walls) await page.context().close();

    // Baseline: each lesson opened in full, no tile budget (its teacher camera as a classroom gets it).
    const lessonIds = await m.Lesson.find({ state: 'live' }, { _id: 1 }).lean();
    const opened: Page[] = [];
    for (const { _id } of lessonIds)
      opened.push(
        await openAs(browser, t.url, 'inspector', 'demo2026', `/inspection?lesson=${_id.toString()}`),
      );
    for (const page of opened)
      await page.locator('[data-testid="watch-state"][data-state="watching"]').waitFor({ timeout: 90_000 });
    await sleep(WARMUP * 1000);
    const full = await received(opened, SECONDS);

    const perTile = wall.videoKbps / tiles;
    const perFull = full.videoKbps / lessonIds.length;
    const wall16 = Math.round(perTile * WALL_TILES);
    const baseline16 = Math.round(perFull * WALL_TILES);
    const ok = (good: boolean): string => (good ? 'ok' : 'short');
    console.log('');
    for (const line of textTable(
      ['what', 'goal', 'measured', 'baseline (full, no budget)', 'verdict'],
      [
        [
          `wall of ${WALL_TILES} tiles, video kbit/s`,
          `<= ${GOAL_KBPS}`,
          String(wall16),
          String(baseline16),
          ok(wall16 <= GOAL_KBPS),
        ],
        [
          'per tile, video kbit/s',
          `<= ${GOAL_KBPS / WALL_TILES}`,
          perTile.toFixed(1),
          perFull.toFixed(1),
          ok(perTile <= GOAL_KBPS / WALL_TILES),
        ],
        ['tallest frame received, px', '', String(wall.frameHeight), String(full.frameHeight), ''],
        [
          'audio received, kbit/s',
          '0 (silent)',
          String(wall.audioKbps),
          String(full.audioKbps),
          ok(wall.audioKbps === 0),
        ],
      ],
    ))
      console.log(line);
    console.log(
      `\n${tiles} tiles measured (${LESSONS} lessons × ${WALLS} walls) over ${SECONDS} s after ${WARMUP} s; ` +
        `tile budget ${TILE_KBPS} kbit/s per transport. Left out: see the top of bench/inspection.ts.`,
    );
    await writeResults('inspection', started, {
      bench: 'inspection',
      startedAt: started.toISOString(),
      machine: machine(),
      loadAverage: os.loadavg(),
      options: { lessons: LESSONS, walls: WALLS, seconds: SECONDS, warmup: WARMUP, tileKbps: TILE_KBPS },
      goal: { wallKbps: GOAL_KBPS, tiles: WALL_TILES },
      measured: {
        tiles,
        wallVideoKbps: wall.videoKbps,
        wallAudioKbps: wall.audioKbps,
        perTileVideoKbps: perTile,
        wall16VideoKbps: wall16,
        tileFrameHeight: wall.frameHeight,
        ok: wall16 <= GOAL_KBPS,
      },
      baseline: {
        lessons: lessonIds.length,
        fullVideoKbps: full.videoKbps,
        perLessonVideoKbps: perFull,
        wall16VideoKbps: baseline16,
        frameHeight: full.frameHeight,
      },
    });
    for (const page of [...opened, ...studios]) await page.context().close();
  } finally {
    await browser?.close();
    await t.close();
    removeDataDir(t.dataDir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
