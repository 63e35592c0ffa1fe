import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, request } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import type { LinkLab, SchoolLink } from './netns.ts';
import { startServerProcess, stopServerProcess } from '../../helpers/serverProcess.ts';
import { trackPeerConnections } from './mediaStats.ts';
import { PASSWORD } from './signIn.ts';

/** The platform's own server, listening (HTTP and media) on the lab's host address. */
export interface LabServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Starts `server/main.ts` as its own process on the lab's host address (HTTP and media) with
 * a fresh database and the demo cluster (the built client in client/dist is served); `env`
 * adds to its environment (bench:links sets RTC_LINK_POLICY).
 */
export async function startLabServer(lab: LinkLab, env: Record<string, string> = {}): Promise<LabServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-data-'));
  const { child, url } = await startServerProcess(dataDir, {
    // Every interface: the browsers reach it on the lab's address, and the demo accounts sign
    // in on loopback (see `openAs`).
    HOST: '0.0.0.0',
    RTC_LISTEN_IP: lab.serverIp,
    DEMO_DATA: 'true',
    ...env,
  });
  return {
    origin: url.replace('localhost', lab.serverIp),
    close: async () => {
      await stopServerProcess(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Chromium with a fake camera and microphone, inside `link`'s namespace (or on the host), for
 * which the lab server's plain-HTTP origin counts as secure (getUserMedia needs that).
 */
export function launchChromium(
  lab: LinkLab,
  origin: string,
  link: SchoolLink | null,
  { videoFile = link ? makeClassroomVideo(lab.dir) : makeTeacherVideo(lab.dir) }: { videoFile?: string } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: link ? link.chromiumWrapper(lab.dir, CHROMIUM_PATH) : CHROMIUM_PATH,
    args: lessonChromiumArgs(origin, videoFile),
  });
}

/**
 * Chromium's flags for a browser that stays in a lesson: the test flags, no throttling of
 * background pages, `origin` counted as secure, and `videoFile` as the fake camera.
 */
export function lessonChromiumArgs(origin: string, videoFile: string): string[] {
  return [
    ...CHROMIUM_ARGS,
    // Headless pages in the background must not be throttled: they decode all the time.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    `--unsafely-treat-insecure-origin-as-secure=${origin}`,
    `--use-file-for-fake-video-capture=${videoFile}`,
  ];
}

/**
 * A looping y4m camera picture of the given size and rate. The teacher's is 1280×720 (Chromium's
 * own fake camera is 640×480, for which it sends only two simulcast layers) at 15 fps, which
 * keeps three encodes affordable on a loaded 2-core machine (Chromium drops layers when its
 * encoder is short of CPU); the classrooms' are small and slow for the same reason.
 */
export function makeCameraVideo(dir: string, width: number, height: number, fps: number): string {
  const file = path.join(dir, `camera-${width}x${height}-${fps}.y4m`);
  if (fs.existsSync(file)) return file;
  const res = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
      ...['-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', '2'],
      ...['-pix_fmt', 'yuv420p', '-y', file],
    ],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`ffmpeg could not make a camera picture: ${res.stderr || res.error}`);
  return file;
}

/** The teacher's camera: three simulcast layers (180p, 360p, 720p). */
export const makeTeacherVideo = (dir: string): string => makeCameraVideo(dir, 1280, 720, 15);
/** A classroom's camera. */
export const makeClassroomVideo = (dir: string): string => makeCameraVideo(dir, 320, 240, 10);

/**
 * Opens `pathName` at `origin` signed in as `username`, with its peer connections tracked. The
 * demo accounts sign in from this machine only (their passwords are published) and the lab's
 * browsers reach the server on the lab's address: the account signs in on the server's
 * loopback address (same port), and its session cookies are handed to the browser.
 */
export async function openAs(
  browser: Browser,
  origin: string,
  username: string,
  pathName: string,
): Promise<Page> {
  const context = await browser.newContext({
    baseURL: origin,
    locale: 'zh-CN',
    // Small windows: on two cores, software compositing of large video cost as much as decoding.
    viewport: { width: 640, height: 360 },
    permissions: ['camera', 'microphone'],
  });
  await trackPeerConnections(context);
  const loopback = new URL(origin);
  const host = loopback.hostname;
  loopback.hostname = '127.0.0.1';
  const api = await request.newContext({ baseURL: loopback.origin });
  try {
    const res = await api.post('/api/auth/login', { data: { username, password: PASSWORD } });
    if (!res.ok()) throw new Error(`sign-in as ${username} failed: ${res.status()} ${await res.text()}`);
    const { cookies } = await api.storageState();
    await context.addCookies(cookies.map((cookie) => ({ ...cookie, domain: host })));
  } finally {
    await api.dispose();
  }
  const page = await context.newPage();
  await page.goto(pathName);
  return page;
}
