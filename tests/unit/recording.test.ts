import { describe, expect, it } from 'vitest';
import { FIRST_PAGE_ID } from '../../server/contract/board.ts';
import type { BoardOp } from '../../server/contract/board.ts';
import { chapterTitle, fileChapters, pageChapters, storedChapter } from '../../server/recording/chapters.ts';
import { chapterMetadata, composeArgs, layoutOf, stripCells } from '../../server/recording/compose.ts';
import { recorderSdp } from '../../sfu/recording/sdp.ts';

const teacher = { role: 'teacher', refId: 'u1' } as BoardOp['by'];
const op = (seq: number, at: number, change: BoardOp['change']): BoardOp => ({
  seq,
  at,
  by: teacher,
  change,
});

describe('recording: the recorder’s session description', () => {
  it('recorderSdp() gives each stream its m= line on its own port, RTCP muxed, codec parameters kept', () => {
    const sdp = recorderSdp([
      {
        kind: 'video',
        port: 30000,
        rtpParameters: {
          codecs: [
            {
              mimeType: 'video/H264',
              payloadType: 102,
              clockRate: 90000,
              parameters: { 'packetization-mode': 1 },
            },
          ],
          encodings: [{ ssrc: 1 }],
        },
      },
      {
        kind: 'audio',
        port: 30002,
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: 2 }],
        },
      },
    ]);
    expect(sdp.split('\r\n')).toEqual(
      expect.arrayContaining([
        'm=video 30000 RTP/AVP 102',
        'a=rtpmap:102 H264/90000',
        'a=fmtp:102 packetization-mode=1',
        'm=audio 30002 RTP/AVP 100',
        'a=rtpmap:100 opus/48000/2',
        'a=rtcp-mux',
      ]),
    );
  });

  it('recorderSdp() rejects a stream without a codec with TypeError', () => {
    expect(() =>
      recorderSdp([{ kind: 'audio', port: 1, rtpParameters: { codecs: [], encodings: [] } }]),
    ).toThrow(TypeError);
  });
});

describe('recording: chapters at the board’s page turns', () => {
  it('pageChapters() starts at page 1, adds one per turn (ms from the live start), merges turns within a second', () => {
    const start = 1_000_000;
    const ops = [
      op(1, start + 5000, { t: 'addPages', pages: [{ id: 'p2', background: null }], after: FIRST_PAGE_ID }),
      op(2, start + 9000, { t: 'page', page: FIRST_PAGE_ID }),
      op(3, start + 9500, { t: 'page', page: 'p2' }),
    ];
    expect(pageChapters(ops, start)).toEqual([
      { atMs: 0, page: 1 },
      { atMs: 5000, page: 2 },
      { atMs: 9000, page: 2 },
    ]);
  });

  it('a chapter is stored with its page and worded by the reader; the MP4 names it in both languages; older chapters are read by their title', () => {
    expect(chapterTitle(3)).toEqual({ zh: '第 3 页', en: 'Page 3' });
    expect(fileChapters([{ atMs: 0, page: 2 }])).toEqual([{ atMs: 0, page: 2, title: '第 2 页 (Page 2)' }]);
    expect(storedChapter({ atMs: 5, page: 4, title: '第 4 页 (Page 4)' })).toEqual({
      atMs: 5,
      page: 4,
      title: { zh: '第 4 页', en: 'Page 4' },
    });
    // Composed before pages were kept: the Chinese title gives the page, so English reads "Page 3".
    expect(storedChapter({ atMs: 0, title: '第 3 页' }).title.en).toBe('Page 3');
    expect(storedChapter({ atMs: 0, title: 'Intro' })).toEqual({
      atMs: 0,
      page: null,
      title: { zh: 'Intro', en: 'Intro' },
    });
  });

  it('chapterMetadata() ends each chapter where the next starts, the last at the end, escaping = ; #', () => {
    const text = chapterMetadata(
      [
        { atMs: 0, title: 'a=b' },
        { atMs: 4000, title: 'c' },
      ],
      10_000,
    );
    expect(text).toContain('START=0\nEND=4000\ntitle=a\\=b');
    expect(text).toContain('START=4000\nEND=10000\ntitle=c');
  });
});

describe('recording: composition', () => {
  const options = {
    durationMs: 30_000,
    size: { width: 960, height: 540 },
    fps: 20,
    preset: 'ultrafast',
    crf: 28,
    threads: 0,
    output: '/x/out.mp4',
    chaptersFile: null,
  };

  it('composeArgs() lays each camera run at its time over black as long as the lesson, mixes every voice, cuts at the lesson’s length', () => {
    const args = composeArgs(
      [
        { group: 'teacher', dir: '/a', offsetMs: 1500, hasVideo: true, hasAudio: true },
        { group: 'floor', dir: '/b', offsetMs: 12_000, hasVideo: true, hasAudio: true },
        { group: 'teacher', dir: '/c', offsetMs: -500, hasVideo: false, hasAudio: true },
      ],
      ['/l0', '/l1', '/l2'],
      options,
    );
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('color=c=black:s=960x540:r=20:d=30.000');
    expect(graph).toContain('[0:v]setpts=PTS-STARTPTS+1.500/TB');
    // The floor classroom's camera is a quarter-size picture in the corner.
    expect(graph).toMatch(/\[1:v\]setpts=PTS-STARTPTS\+12\.000\/TB,scale=240:136/);
    expect(graph).toContain('adelay=12000:all=1');
    // A run from before the lesson went live is cut to its start.
    expect(graph).toContain('[2:a]atrim=start=0.500,');
    expect(graph).toContain('amix=inputs=4:duration=first');
    expect(args.slice(args.indexOf('-t'), args.indexOf('-t') + 2)).toEqual(['-t', '30.000']);
    expect(args).toEqual(expect.arrayContaining(['libx264', 'aac', '/x/out.mp4']));
  });

  it('composeArgs() with the board: the board fills the left, the screen share over it, the cameras in a column beside; chapters from the input after the board', () => {
    const args = composeArgs(
      [
        { group: 'teacher', dir: '/a', offsetMs: 0, hasVideo: true, hasAudio: true },
        { group: 'screen', dir: '/s', offsetMs: 5000, hasVideo: true, hasAudio: false },
        { group: 'floor', dir: '/b', offsetMs: 2000, hasVideo: true, hasAudio: true },
      ],
      ['/l0', '/l1', '/l2'],
      { ...options, boardList: '/frames.txt', chaptersFile: '/ch.txt' },
    );
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('color=c=black:s=1280x540');
    // Inputs: the three runs, the board's frames, then the chapters.
    expect(args.filter((a) => a === '-i')).toHaveLength(5);
    expect(args[args.indexOf('/frames.txt') - 1]).toBe('-i');
    expect(args.slice(args.indexOf('-map_chapters'), args.indexOf('-map_chapters') + 2)).toEqual([
      '-map_chapters',
      '4',
    ]);
    const steps = graph.split(';');
    const at = (needle: string) => steps.findIndex((f) => f.includes(needle));
    // The board first (it lasts to the end), then the screen share over it, then the cameras.
    expect(steps[at('[3:v]')]).toContain('format=yuv420p[board]');
    expect(steps[at('[board]overlay')]).toContain('eof_action=repeat');
    expect(steps[at('[1:v]')]).toContain('scale=960:540');
    expect(at('[v1]overlay')).toBeGreaterThan(at('[board]overlay'));
    expect(at('[v0]overlay')).toBeGreaterThan(at('[v1]overlay'));
    expect(steps[at('[0:v]')]).toContain('scale=320:180');
    expect(steps[at('[v0]overlay')]).toContain('x=960:y=0');
    expect(steps[at('[v2]overlay')]).toContain('x=960:y=180');
  });

  it('composeArgs() puts every receiving classroom’s camera in a strip cell of its own (one per classroom, its runs in the same cell), beside the teacher and under the floor', () => {
    const args = composeArgs(
      [
        { group: 'teacher', dir: '/a', offsetMs: 0, hasVideo: true, hasAudio: true },
        { group: 'classroom', refId: 'c2', dir: '/c2', offsetMs: 900, hasVideo: true, hasAudio: false },
        { group: 'classroom', refId: 'c1', dir: '/c1', offsetMs: 500, hasVideo: true, hasAudio: false },
        { group: 'classroom', refId: 'c2', dir: '/c2b', offsetMs: 9000, hasVideo: true, hasAudio: false },
      ],
      ['/l0', '/l1', '/l2', '/l3'],
      { ...options, boardList: '/frames.txt' },
    );
    const steps = args[args.indexOf('-filter_complex') + 1]!.split(';');
    const step = (needle: string) => steps.find((f) => f.includes(needle))!;
    // Column 960..1280; teacher 0..180, floor 180..360, the strip below: two 160×90 cells.
    expect(step('[2:v]')).toContain('scale=160:90');
    expect(step('[v2]overlay')).toContain('x=960:y=360');
    expect(step('[v1]overlay')).toContain('x=1120:y=360');
    expect(step('[v3]overlay')).toContain('x=1120:y=360');
    // No voice from a classroom's camera run: the silence and the teacher only.
    expect(step('amix')).toContain('amix=inputs=2');
  });

  it('layoutOf() keeps the strip inside the picture and off the floor picture, for 1 to 8 classrooms, with and without the board', () => {
    for (const board of [false, true])
      for (let n = 1; n <= 8; n++) {
        const l = layoutOf({ width: 960, height: 540 }, board, n);
        expect(l.strip).toHaveLength(n);
        for (const c of l.strip) {
          expect(c.w).toBeGreaterThan(0);
          expect(c.x + c.w).toBeLessThanOrEqual(l.width);
          expect(c.y + c.h).toBeLessThanOrEqual(l.height);
          const overlaps = (b: typeof c) =>
            c.x < b.x + b.w && b.x < c.x + c.w && c.y < b.y + b.h && b.y < c.y + c.h;
          expect(overlaps(l.floor)).toBe(false);
          if (board) expect(overlaps(l.teacher) || overlaps(l.board)).toBe(false);
          expect(l.strip.filter((o) => o !== c && overlaps(o))).toEqual([]);
        }
      }
    expect(stripCells({ x: 0, y: 0, w: 320, h: 180 }, 0)).toEqual([]);
  });
});
