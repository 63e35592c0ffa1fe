import type { RecordingView } from '../../../server/contract/library.ts';
import { applyOp, foldOps } from '../../../server/contract/board.ts';
import type { BoardOp, BoardState } from '../../../server/contract/board.ts';
import { api } from '../api.ts';
import { BoardView } from '../board/BoardView.ts';
import { t } from '../i18n.ts';
import { clock, playedAt } from '../replay/timeline.ts';
import { h } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';

const SPEEDS = [1, 1.5, 2] as const;

/**
 * A recording played with its board beside it: the board shows what was on it at the
 * video's moment (the board log's times against the lesson's live start), and seeking
 * either the video or the board's slider moves both; 1× / 1.5× / 2×; chapters at page
 * turns; gaps marked on the timeline.
 */
export function recordingPlayer(rec: RecordingView): HTMLElement {
  const start = rec.liveStartedAt ? Date.parse(rec.liveStartedAt) : 0;
  const duration = rec.durationMs ?? 0;
  const video = h('video', {
    controls: true,
    preload: 'metadata',
    playsinline: true,
    src: `/api/library/recordings/${rec.id}/video`,
    'data-testid': 'player-video',
  });
  const view = new BoardView({
    me: { role: 'classroom', refId: 'library' },
    send: () => Promise.reject(new Error(t('library'))),
    sendLaser: () => undefined,
    uploadAsset: () => Promise.reject(new Error(t('library'))),
    assetUrl: (assetId) => `/api/lessons/${rec.id}/board/assets/${assetId}`,
  });
  view.setEditable(false);
  const slider = h('input', {
    type: 'range',
    min: 0,
    max: duration,
    step: 100,
    value: 0,
    'aria-label': t('libBoard'),
    'data-testid': 'player-board-slider',
  });
  const time = h('span', { class: 'replay-time', 'data-testid': 'player-time' }, `0:00 / ${clock(duration)}`);
  const speeds = SPEEDS.map((speed) =>
    h(
      'button',
      {
        class: 'btn btn-ghost',
        type: 'button',
        'aria-pressed': speed === 1 ? 'true' : 'false',
        'data-testid': `player-speed-${speed}`,
        onclick: () => {
          video.playbackRate = speed;
          for (const b of speeds) b.setAttribute('aria-pressed', String(b === speedButton(speed)));
        },
      },
      `${speed}×`,
    ),
  );
  const speedButton = (speed: number): HTMLButtonElement => speeds[SPEEDS.indexOf(speed as 1)]!;
  const gaps = h(
    'div',
    { class: 'player-gaps', 'data-testid': 'player-gaps', title: t('recIncomplete') },
    ...rec.gaps.map((g) =>
      h('span', {
        style: `left:${(100 * g.fromMs) / Math.max(1, duration)}%;width:${Math.max(0.5, (100 * (g.toMs - g.fromMs)) / Math.max(1, duration))}%`,
        title: t(`recGapReason_${g.reason.replace('-', '_')}` as never),
      }),
    ),
  );
  const chapters = h(
    'div',
    { class: 'player-chapters' },
    h('strong', {}, tr('libChapters')),
    ...rec.chapters.map((c) =>
      h(
        'button',
        { class: 'btn btn-ghost', type: 'button', onclick: () => (video.currentTime = c.atMs / 1000) },
        `${clock(c.atMs)} ${c.title}`,
      ),
    ),
  );

  let ops: BoardOp[] = [];
  let times: number[] = [];
  let state: BoardState = foldOps([]);
  let played = 0;

  /** Shows the board as it was `ms` into the lesson. */
  const showBoard = (ms: number): void => {
    const n = playedAt(times, ms);
    if (n < played) {
      state = foldOps(ops.slice(0, n));
      view.setState(state);
    } else if (n > played) {
      const touched = new Set<string>();
      for (const op of ops.slice(played, n)) for (const id of applyOp(state, op)) touched.add(id);
      view.applied(state, [...touched], true);
    }
    played = n;
    slider.value = String(Math.round(ms));
    time.textContent = `${clock(ms)} / ${clock(duration)}`;
  };
  const follow = (): void => showBoard(video.currentTime * 1000);
  const tick = (): void => {
    follow();
    if (!video.paused) requestAnimationFrame(tick);
  };
  video.addEventListener('play', () => requestAnimationFrame(tick));
  video.addEventListener('seeked', follow);
  video.addEventListener('timeupdate', follow);
  slider.addEventListener('input', () => {
    video.currentTime = Number(slider.value) / 1000;
    showBoard(Number(slider.value));
  });

  api.get<{ ops: BoardOp[] }>(`/api/lessons/${rec.id}/board`).then(
    (log) => {
      ops = log.ops;
      times = ops.map((op) => op.at - start);
      view.setState(state);
      follow();
    },
    () => undefined,
  );

  return h(
    'section',
    { class: 'player', 'data-testid': 'player' },
    video,
    h('div', { class: 'player-board' }, view.el),
    rec.gaps.length ? gaps : null,
    h('div', { class: 'player-bar' }, h('span', {}, tr('libSpeed')), ...speeds, slider, time),
    rec.chapters.length ? chapters : null,
  );
}
