import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardOp } from '../../server/contract/board.ts';
import { renderBoardFrames } from '../../server/recording/boardFrames.ts';
import { fileChapters, pageChapters } from '../../server/recording/chapters.ts';
import { compose } from '../../server/recording/compose.ts';
import { colourAt, frameAt, probe } from '../helpers/recordingMedia.ts';

const START = Date.parse('2026-11-20T06:00:00Z');
const DURATION_MS = 8000;
const by = { role: 'teacher' as const, refId: 't1' };

/** Raw segments as a recorder writes them: VP8 in Matroska, from an ffmpeg test source. */
function segment(dir: string, source: string, seconds: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const res = spawnSync(
    'ffmpeg',
    [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `${source}:rate=15:duration=${seconds}`,
      ],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '500k', path.join(dir, '00000.mkv')],
    ],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(res.stderr);
}

describe('the board drawn into the lesson’s MP4, the screen share over it while on, the cameras beside it', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-board-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('shows the board as it was at each moment (a rectangle drawn, a courseware page turned to), the screen share while on, and the teacher beside', async () => {
    // Courseware: a blue page image, as the browser uploads it.
    const page = createCanvas(800, 450);
    const pctx = page.getContext('2d');
    pctx.fillStyle = '#0000ff';
    pctx.fillRect(0, 0, 800, 450);
    const courseware = { data: await page.encode('png'), width: 800, height: 450 };
    const ops: BoardOp[] = [
      {
        seq: 1,
        at: START + 1500,
        by,
        change: {
          t: 'draw',
          id: 'r1',
          page: 'p1',
          tool: 'rect',
          color: '#ff0000',
          width: 12,
          points: [400, 300, 1200, 600],
        },
      },
      {
        seq: 2,
        at: START + 3000,
        by,
        change: { t: 'addPages', pages: [{ id: 'p2', background: 'deck-1' }], after: 'p1' },
      },
    ];
    const asked: string[] = [];
    const board = await renderBoardFrames({
      ops,
      startMs: START,
      durationMs: DURATION_MS,
      dir: path.join(work, 'frames'),
      image: (id) => {
        asked.push(id);
        return Promise.resolve(id === 'deck-1' ? courseware : null);
      },
    });
    // Blank page, the rectangle, the courseware page: one frame each.
    expect(board?.frames).toBe(3);
    expect(asked).toEqual(['deck-1']);

    segment(path.join(work, 'teacher'), 'testsrc2=size=640x360', 8);
    segment(path.join(work, 'screen'), 'color=c=0x00c000:size=1280x720', 2);
    const output = path.join(work, 'lesson.mp4');
    await compose({
      runs: [
        { group: 'teacher', dir: path.join(work, 'teacher'), offsetMs: 0, hasVideo: true, hasAudio: false },
        { group: 'screen', dir: path.join(work, 'screen'), offsetMs: 5000, hasVideo: true, hasAudio: false },
      ],
      durationMs: DURATION_MS,
      output,
      boardList: board!.list,
      chapters: fileChapters(pageChapters(ops, START)),
    });

    const info = probe(output);
    expect(Math.abs(info.duration - 8)).toBeLessThan(0.2);
    const video = spawnSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-select_streams',
        'v',
        '-show_entries',
        'stream=width,height',
        '-of',
        'csv=p=0',
        output,
      ],
      { encoding: 'utf8' },
    ).stdout.trim();
    // The board (960×540) and the cameras' column (320 wide) beside it.
    expect(video).toBe('1280,540');
    expect(info.chapters.map((c) => c.tags?.title)).toEqual(['第 1 页 (Page 1)', '第 2 页 (Page 2)']);

    // The rectangle's left edge is at board x 400 (pixel 240), its middle at board y 450 (pixel 270).
    const W = 1280;
    const at = (t: number) => frameAt(output, t, W, 540);
    const before = at(1);
    expect([colourAt(before, W, 240, 270), colourAt(before, W, 480, 270)]).toEqual(['white', 'white']);
    const drawn = at(2.5);
    expect([colourAt(drawn, W, 240, 270), colourAt(drawn, W, 480, 270)]).toEqual(['red', 'white']);
    const turned = at(4);
    expect([colourAt(turned, W, 240, 270), colourAt(turned, W, 480, 270)]).toEqual(['blue', 'blue']);
    const shared = at(6);
    expect(colourAt(shared, W, 480, 270)).toBe('green');
    // After the screen share: the board again.
    expect(colourAt(at(7.5), W, 480, 270)).toBe('blue');
    // The teacher's camera in the column beside the board; nothing under it (no floor classroom).
    expect(colourAt(drawn, W, 1120, 90)).not.toBe('black');
    expect(colourAt(drawn, W, 1120, 400)).toBe('black');
  }, 120_000);
});
