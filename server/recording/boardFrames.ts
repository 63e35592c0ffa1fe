import fs from 'node:fs';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { Image } from '@napi-rs/canvas';
// The board is drawn by the browser's own drawing code (one definition of how a board looks:
// the player beside the video and the video agree); it needs only a 2D context, which
// @napi-rs/canvas (Skia) provides in Node.
import { drawItem, drawPaper } from '../../client/src/board/render.ts';
import { BOARD_HEIGHT, BOARD_WIDTH, applyOp, emptyBoard } from '../contract/board.ts';
import type { BoardOp, BoardState } from '../contract/board.ts';

/**
 * JPEG quality of the frames: Skia encodes a 960×540 frame as JPEG in about half the time of
 * a PNG (24 against 56 ms, measured here under load), and the H.264 encoding that follows
 * loses more than this keeps.
 */
const JPEG_QUALITY = 90;

/** A courseware image of the board. */
export interface BoardImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface BoardFramesOptions {
  /** The lesson's board log, in sequence order. */
  ops: readonly BoardOp[];
  /** When the lesson went live (ms since the epoch): the video's time 0. */
  startMs: number;
  /** The video's length, ms. */
  durationMs: number;
  /** A courseware image by asset id (null: missing, the page is drawn blank). */
  image: (assetId: string) => Promise<BoardImage | null>;
  /** Folder the frames and their list go to (created). */
  dir: string;
  /** Frame size in pixels (16:9). @default { width: 960, height: 540 } */
  size?: { width: number; height: number };
  /**
   * Shortest time between two frames, ms: changes within it show together in the next
   * frame (a stroke being drawn advances in steps of this). @default 500
   */
  minIntervalMs?: number;
  /** Stops the drawing (it throws the signal's reason) between frames. */
  signal?: AbortSignal;
}

/** The board as pictures over the lesson's time: an ffmpeg concat list of JPEG frames. */
export interface BoardFrames {
  /** The concat list (`ffconcat`), each frame with how long it shows. */
  list: string;
  frames: number;
  /** Time spent drawing and encoding, ms. */
  renderMs: number;
}

/**
 * Renders the board as it was live over the lesson: folds the log in time order and draws a
 * frame whenever what is visible changed (the page, its courseware, its items and how far
 * its strokes had got), at most one frame per `minIntervalMs`. The frames are JPEGs with
 * their durations in an ffmpeg concat list, so composition reads a few hundred pictures
 * rather than a picture per video frame. Returns null when the board was never used (a
 * lesson without board changes keeps the camera-only layout).
 */
export async function renderBoardFrames(options: BoardFramesOptions): Promise<BoardFrames | null> {
  const started = performance.now();
  const { ops, startMs, durationMs } = options;
  if (!ops.some((op) => op.change.t !== 'pen')) return null;
  const { width, height } = options.size ?? { width: 960, height: 540 };
  const interval = options.minIntervalMs ?? 500;
  await fs.promises.mkdir(options.dir, { recursive: true });
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  // Only the page shown is held decoded (a 60-page deck decoded at once would take ~350 MB);
  // a lesson goes through its pages mostly in order, so each is read about once.
  let held: { assetId: string; image: Promise<Image | null> } | null = null;
  const imageOf = (assetId: string): Promise<{ img: Image; width: number; height: number } | null> => {
    if (held?.assetId !== assetId)
      held = {
        assetId,
        image: options.image(assetId).then((found) => (found ? loadImage(found.data) : null)),
      };
    return held.image.then((img) => (img ? { img, width: img.width, height: img.height } : null));
  };

  const state = emptyBoard();
  const sorted = [...ops].sort((a, b) => a.seq - b.seq);
  const frames: { file: string; atMs: number }[] = [];
  let lastLook = '';
  const draw = async (atMs: number): Promise<void> => {
    options.signal?.throwIfAborted();
    const look = lookOf(state);
    if (look === lastLook) return;
    lastLook = look;
    const page = state.pages.find((p) => p.id === state.page);
    const background = page?.background ? await imageOf(page.background) : null;
    ctx.setTransform(width / BOARD_WIDTH, 0, 0, height / BOARD_HEIGHT, 0, 0);
    // The browser's context type; Skia's context draws the same calls.
    const c = ctx as unknown as CanvasRenderingContext2D;
    drawPaper(c, (background?.img ?? null) as unknown as CanvasImageSource | null, background ?? undefined);
    for (const item of state.items)
      if (!item.hidden && item.page === state.page) drawItem(c, item, 'finished');
    const file = `${String(frames.length).padStart(5, '0')}.jpg`;
    await fs.promises.writeFile(path.join(options.dir, file), await canvas.encode('jpeg', JPEG_QUALITY));
    frames.push({ file, atMs });
  };

  let i = 0;
  const applyUntil = (t: number): void => {
    while (i < sorted.length && sorted[i]!.at - startMs <= t) applyOp(state, sorted[i++]!);
  };
  applyUntil(0);
  await draw(0);
  let last = 0;
  while (i < sorted.length) {
    const t = Math.max(sorted[i]!.at - startMs, last + interval);
    if (t >= durationMs) break;
    applyUntil(t);
    const before = frames.length;
    await draw(t);
    if (frames.length > before) last = t;
  }

  const lines = ['ffconcat version 1.0'];
  frames.forEach((f, k) => {
    const end = frames[k + 1]?.atMs ?? durationMs;
    lines.push(`file '${f.file}'`, `duration ${((end - f.atMs) / 1000).toFixed(3)}`);
  });
  // The concat demuxer takes the last file's duration only when the file is listed again.
  lines.push(`file '${frames.at(-1)!.file}'`);
  const list = path.join(options.dir, 'frames.txt');
  await fs.promises.writeFile(list, `${lines.join('\n')}\n`);
  return { list, frames: frames.length, renderMs: performance.now() - started };
}

/**
 * What a frame of the board shows, as a short key: the page, its courseware, and each
 * visible item of the page with how many coordinates it has (a stroke being drawn grows).
 */
function lookOf(state: BoardState): string {
  const page = state.pages.find((p) => p.id === state.page);
  const parts = [state.page, page?.background ?? ''];
  for (const item of state.items)
    if (!item.hidden && item.page === state.page)
      parts.push(`${item.id}:${item.points.length}:${item.done ? 1 : 0}`);
  return parts.join('|');
}
