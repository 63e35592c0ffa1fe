import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A run as composition needs it: its segments' folder, where it starts in the lesson, what it carries. */
export interface ComposeRun {
  group: 'teacher' | 'screen' | 'floor' | 'classroom';
  /** The classroom of a `classroom` run (its place in the strip). @default null */
  refId?: string | null;
  /** Absolute folder of its segments. */
  dir: string;
  /** When it started, ms after the lesson went live (negative: before). */
  offsetMs: number;
  hasVideo: boolean;
  hasAudio: boolean;
}

export interface ComposeOptions {
  runs: readonly ComposeRun[];
  /** The lesson's live time, ms: the MP4 is exactly this long. */
  durationMs: number;
  /** Where the MP4 goes (written to a temporary name first, renamed when complete). */
  output: string;
  /** Chapters (board page turns), ms from the start. */
  chapters?: readonly { atMs: number; title: string }[];
  /**
   * The board as frames over the lesson (`renderBoardFrames`' concat list); with it, or with a
   * screen share, the video shows the board (the screen share over it while it was on) with
   * the cameras beside it. @default none: the teacher's camera fills the picture
   */
  boardList?: string | null;
  /**
   * Size of the main picture (the board, or the teacher's camera without one); the cameras'
   * column beside the board adds a third of its width. @default { width: 960, height: 540 }
   */
  size?: { width: number; height: number };
  /**
   * Frames per second. @default 20 (a lesson camera moves little; 25 costs a fifth more
   * encoding for little gain)
   */
  fps?: number;
  /**
   * libx264 preset. @default 'ultrafast': on 2 busy cores it composes 540p about twice as
   * fast as 'veryfast' (measured with bench:recording's clip), for larger files
   */
  preset?: string;
  /** libx264 quality (lower: better, larger). @default 28 */
  crf?: number;
  /** Threads ffmpeg may use (0: as many as cores). @default 0 */
  threads?: number;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Called with the fraction done (0–1). */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * The segments of a run that can be read, in order: empty files and a last segment cut
 * off before its first packet reached the disk (ffprobe cannot open it, or finds no packet)
 * are left out. A last segment without its trailer (its recorder killed, or stopped while
 * no media came) is kept: it has no duration, but its packets are read.
 */
export async function readableSegments(
  dir: string,
  ffprobePath = 'ffprobe',
  signal?: AbortSignal,
): Promise<string[]> {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{5}\.mkv$/.test(f))
    .sort()
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).size > 0);
  const last = files.at(-1);
  if (last) {
    const args = [
      '-v',
      'error',
      '-read_intervals',
      '%+#1',
      '-show_entries',
      'packet=pts_time',
      '-of',
      'csv=p=0',
    ];
    // Killed with the composition (its signal), or after a minute on its own.
    const readable = await new Promise<boolean>((resolve, reject) =>
      execFile(
        ffprobePath,
        [...args, last],
        { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', ...(signal ? { signal } : {}) },
        (error, stdout) => {
          if (signal?.aborted) reject(signal.reason as Error);
          else resolve(!error && stdout.trim() !== '');
        },
      ),
    );
    if (!readable) files.pop();
  }
  return files;
}

/** The FFMETADATA text of chapters over a timeline of `durationMs`. */
export function chapterMetadata(
  chapters: readonly { atMs: number; title: string }[],
  durationMs: number,
): string {
  const escape = (s: string): string => s.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
  const sorted = [...chapters]
    .filter((c) => c.atMs >= 0 && c.atMs < durationMs)
    .sort((a, b) => a.atMs - b.atMs);
  const lines = [';FFMETADATA1'];
  sorted.forEach((c, i) => {
    const end = sorted[i + 1]?.atMs ?? durationMs;
    lines.push(
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${Math.round(c.atMs)}`,
      `END=${Math.round(end)}`,
      `title=${escape(c.title)}`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** Where a picture goes in the video: its box (even sizes, for 4:2:0). */
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const even = (n: number): number => Math.round(n / 2) * 2;

/**
 * `n` 16:9 cells filling `area` row by row, as large as fit (at most `maxWidth` wide), the
 * grid's columns chosen for the largest cell.
 */
export function stripCells(area: Box, n: number, maxWidth = area.w): Box[] {
  if (n <= 0) return [];
  let best = { cols: 1, w: 0, h: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const w = Math.floor(Math.min(maxWidth, area.w / cols, ((area.h / rows) * 16) / 9) / 2) * 2;
    // On a tie, more columns: a row reads as a strip.
    if (w >= best.w) best = { cols, w, h: Math.floor((w * 9) / 16 / 2) * 2 };
  }
  return Array.from({ length: n }, (_, i) => ({
    x: area.x + (i % best.cols) * best.w,
    y: area.y + Math.floor(i / best.cols) * best.h,
    w: best.w,
    h: best.h,
  }));
}

/** Where each picture goes: the board, the teacher, the floor classroom and the classrooms' strip. */
export interface Layout {
  width: number;
  height: number;
  board: Box;
  teacher: Box;
  floor: Box;
  /** One cell per receiving classroom whose camera was recorded, in `classrooms` order. */
  strip: Box[];
}

/**
 * Where each picture goes. Camera only: the teacher's camera fills the frame, the floor
 * classroom's camera picture-in-picture at the bottom right, and the receiving classrooms'
 * cameras small along the bottom left (a sixth of the width at most each). With the board:
 * the board (and the screen share over it while on) fills a W×H area on the left, and a
 * column a third as wide beside it holds the teacher's camera on top, the floor classroom's
 * under it and the classrooms' strip in the rest, so that no camera covers the board.
 *
 * @param classrooms how many receiving classrooms' cameras the strip holds @default 0
 */
export function layoutOf(
  size: { width: number; height: number },
  withBoard: boolean,
  classrooms = 0,
): Layout {
  const { width: W, height: H } = size;
  const main = { x: 0, y: 0, w: W, h: H };
  if (!withBoard) {
    const w = even(W / 4);
    const h = even(H / 4);
    const floor = { x: W - w - 16, y: H - h - 16, w, h };
    const area = { x: 16, y: H / 2, w: floor.x - 32, h: H / 2 - 16 };
    const strip = stripCells(area, classrooms, even(W / 6));
    // Cells sit on the bottom edge (the grid is filled from the top of its area).
    const rows = new Set(strip.map((c) => c.y)).size;
    const lift = area.h - rows * (strip[0]?.h ?? 0);
    return {
      width: W,
      height: H,
      board: main,
      teacher: main,
      floor,
      strip: strip.map((c) => ({ ...c, y: even(c.y + lift) })),
    };
  }
  const cw = even(W / 3);
  const ch = even((cw * 9) / 16);
  return {
    width: W + cw,
    height: H,
    board: main,
    teacher: { x: W, y: 0, w: cw, h: ch },
    floor: { x: W, y: ch, w: cw, h: ch },
    strip: stripCells({ x: W, y: 2 * ch, w: cw, h: H - 2 * ch }, classrooms),
  };
}

/** The classrooms of the strip, in the order their cameras were first recorded. */
export function stripClassrooms(runs: readonly ComposeRun[]): string[] {
  const order = [...runs]
    .filter((r) => r.group === 'classroom' && r.hasVideo && r.refId)
    .sort((a, b) => a.offsetMs - b.offsetMs)
    .map((r) => r.refId!);
  return [...new Set(order)];
}

/** Each group's layer (lower: drawn first, under the others). */
const LAYER: Record<ComposeRun['group'], number> = { screen: 0, teacher: 1, floor: 2, classroom: 3 };

/**
 * The ffmpeg arguments that compose a lesson: a black picture and silence as long as the
 * lesson; the board's frames, if any, and the screen share over them while it was on; the
 * teacher's, the floor classroom's and every receiving classroom's camera runs at their
 * times in their boxes
 * ({@link layoutOf}); every voice mixed; H.264 + AAC. `inputs[i]` is the concat list of
 * `runs[i]`.
 */
export function composeArgs(
  runs: readonly ComposeRun[],
  inputs: readonly string[],
  options: Required<Pick<ComposeOptions, 'durationMs' | 'size' | 'fps' | 'preset' | 'crf' | 'threads'>> & {
    output: string;
    chaptersFile: string | null;
    boardList?: string | null;
  },
): string[] {
  const board = options.boardList ?? null;
  const classrooms = stripClassrooms(runs);
  const layout = layoutOf(
    options.size,
    board !== null || runs.some((r) => r.group === 'screen' && r.hasVideo),
    classrooms.length,
  );
  const D = (options.durationMs / 1000).toFixed(3);
  const args = ['-hide_banner', '-nostats', '-loglevel', 'error', '-y'];
  for (const list of inputs) args.push('-f', 'concat', '-safe', '0', '-i', list);
  if (board) args.push('-f', 'concat', '-safe', '0', '-i', board);
  const chaptersInput = inputs.length + (board ? 1 : 0);
  if (options.chaptersFile) args.push('-f', 'ffmetadata', '-i', options.chaptersFile);
  const filters: string[] = [`color=c=black:s=${layout.width}x${layout.height}:r=${options.fps}:d=${D}[bg0]`];
  const audio: string[] = [];
  filters.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${D}[sil]`);
  let background = 'bg0';
  let overlays = 0;
  const place = (label: string, box: Box, eof: 'pass' | 'repeat'): void => {
    const next = `bg${++overlays}`;
    filters.push(
      `[${background}][${label}]overlay=eof_action=${eof}:repeatlast=${eof === 'repeat' ? 1 : 0}:x=${box.x}:y=${box.y}[${next}]`,
    );
    background = next;
  };
  if (board) {
    // The frames are drawn at the board's size; they last until the end (the list says so).
    filters.push(`[${inputs.length}:v]setpts=PTS-STARTPTS,format=yuv420p[board]`);
    place('board', layout.board, 'repeat');
  }
  // Layers, bottom up: screen shares over the board, then the teacher's camera (which fills
  // the picture without a board), then the floor classroom's and the strip over it. By group,
  // not by run: a teacher's run restarted late in the lesson must not cover the others.
  const order = runs
    .map((run, i) => ({ run, i }))
    .sort((a, b) => LAYER[a.run.group] - LAYER[b.run.group] || a.i - b.i);
  for (const { run, i } of order) {
    const offset = run.offsetMs / 1000;
    // A run that started before the lesson went live is cut to the lesson's start.
    const trim = offset < 0 ? `trim=start=${(-offset).toFixed(3)},` : '';
    const atrim = offset < 0 ? `atrim=start=${(-offset).toFixed(3)},` : '';
    const at = Math.max(0, offset);
    const box =
      run.group === 'classroom'
        ? layout.strip[classrooms.indexOf(run.refId ?? '')]
        : layout[run.group === 'screen' ? 'board' : run.group];
    if (run.hasVideo && box) {
      filters.push(
        `[${i}:v]${trim}setpts=PTS-STARTPTS+${at.toFixed(3)}/TB,` +
          `scale=${box.w}:${box.h}:force_original_aspect_ratio=decrease,pad=${box.w}:${box.h}:(ow-iw)/2:(oh-ih)/2,setsar=1[v${i}]`,
      );
      place(`v${i}`, box, 'pass');
    }
    if (run.hasAudio) {
      filters.push(
        `[${i}:a]${atrim}asetpts=PTS-STARTPTS,aresample=48000:async=1000:first_pts=0,` +
          `aformat=sample_rates=48000:channel_layouts=stereo,adelay=${Math.round(at * 1000)}:all=1[a${i}]`,
      );
      audio.push(`[a${i}]`);
    }
  }
  filters.push(`[${background}]format=yuv420p[vout]`);
  filters.push(
    `[sil]${audio.join('')}amix=inputs=${audio.length + 1}:duration=first:dropout_transition=0:normalize=0[aout]`,
  );
  args.push('-filter_complex', filters.join(';'), '-map', '[vout]', '-map', '[aout]');
  if (options.chaptersFile) args.push('-map_chapters', String(chaptersInput));
  args.push(
    ...[
      '-c:v',
      'libx264',
      '-preset',
      options.preset,
      '-crf',
      String(options.crf),
      '-g',
      String(options.fps * 4),
    ],
    ...['-c:a', 'aac', '-b:a', '96k', '-ac', '2'],
    ...['-threads', String(options.threads), '-t', D, '-movflags', '+faststart'],
    ...['-progress', 'pipe:1', '-f', 'mp4', options.output],
  );
  return args;
}

/**
 * Composes one MP4 from a lesson's runs (see `composeArgs`); resolves with how long it took,
 * ms. Runs without readable segments are left out (their time stays black and silent).
 */
export async function compose(options: ComposeOptions): Promise<{ elapsedMs: number }> {
  const started = performance.now();
  const work = `${options.output}.work`;
  await fs.promises.rm(work, { recursive: true, force: true });
  await fs.promises.mkdir(work, { recursive: true });
  try {
    const runs: ComposeRun[] = [];
    const inputs: string[] = [];
    for (const run of options.runs) {
      const segments = await readableSegments(run.dir, options.ffprobePath, options.signal);
      if (!segments.length) continue;
      const list = path.join(work, `${inputs.length}.txt`);
      await fs.promises.writeFile(list, segments.map((s) => `file '${s.replace(/'/g, "'\\''")}'`).join('\n'));
      inputs.push(list);
      runs.push(run);
    }
    let chaptersFile: string | null = null;
    if (options.chapters?.length) {
      chaptersFile = path.join(work, 'chapters.txt');
      await fs.promises.writeFile(chaptersFile, chapterMetadata(options.chapters, options.durationMs));
    }
    const partial = path.join(work, 'out.mp4');
    const args = composeArgs(runs, inputs, {
      durationMs: options.durationMs,
      size: options.size ?? { width: 960, height: 540 },
      fps: options.fps ?? 20,
      preset: options.preset ?? 'ultrafast',
      crf: options.crf ?? 28,
      threads: options.threads ?? 0,
      output: partial,
      chaptersFile,
      boardList: options.boardList ?? null,
    });
    await runFfmpeg(
      options.ffmpegPath ?? 'ffmpeg',
      args,
      options.durationMs,
      options.onProgress,
      options.signal,
    );
    await fs.promises.rename(partial, options.output);
    return { elapsedMs: performance.now() - started };
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true });
  }
}

function runFfmpeg(
  bin: string,
  args: string[],
  durationMs: number,
  onProgress: ((fraction: number) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const match = /out_time_us=(\d+)/.exec(chunk.split('\n').reverse().join('\n'));
      if (match && onProgress) onProgress(Math.min(1, Number(match[1]) / 1000 / durationMs));
    });
    const abort = (): void => void child.kill('SIGKILL');
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `composition failed (ffmpeg ${sig ?? code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
          ),
        );
    });
  });
}
