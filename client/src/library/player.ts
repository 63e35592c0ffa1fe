import type { BoardOp, BoardState } from '../../../server/contract/board.ts';
import { applyOp, foldOps } from '../../../server/contract/board.ts';
import type { RecordingView } from '../../../server/contract/library.ts';
import type { EvaluationView } from '../../../server/contract/research.ts';
import { api } from '../api.ts';
import { BoardView } from '../board/BoardView.ts';
import { onLangChange, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { clock, playedAt } from '../replay/timeline.ts';
import { h } from '../ui/dom.ts';
import { firstVisits, pageIndexAt, pageTurns, timelineMarks } from './marks.ts';
import type { Mark, PageVisit, TimedComment } from './marks.ts';
import { m } from './messages.ts';
import { pageThumbnail } from './thumbnail.ts';

const SPEEDS = [1, 1.5, 2] as const;
/** Seconds the ← → keys move. */
const KEY_STEP_S = 5;
/** Seconds the ⟲ ⟳ buttons move. */
const BUTTON_STEP_S = 10;

/** What the player shows, filled in as the board log and the evaluations arrive. */
interface PlayerState {
  rec: RecordingView;
  /** The lesson's live start, ms since the epoch (the board log's times are against it). */
  start: number;
  duration: number;
  ops: BoardOp[];
  /** Each op's time, ms from the live start. */
  times: number[];
  turns: PageVisit[];
  comments: TimedComment[];
  /** The board as folded so far, and how many ops that is. */
  board: BoardState;
  played: number;
}

/** The player's parts that change (built once by `playerView`, updated by `render*`). */
interface PlayerView {
  root: HTMLElement;
  video: HTMLVideoElement;
  board: BoardView;
  seek: HTMLInputElement;
  progress: HTMLElement;
  marks: HTMLElement;
  time: HTMLElement;
  playButton: HTMLButtonElement;
  speeds: HTMLButtonElement[];
  pages: HTMLElement;
  comments: HTMLElement;
}

/** What a page embedding the player may leave out. */
export interface PlayerOptions {
  /**
   * Whether the player reads the lesson's evaluations and shows their comments (timeline marks
   * and the list under the video). The evaluate page turns it off: its own form lists the
   * evaluator's comments, saved and not yet saved, each seeking this player's video.
   * @default true
   */
  comments?: boolean;
}

/**
 * The library's player, made for a classroom's whiteboard as much as a desk: the lesson's
 * video large (it holds the board and the cameras); beside it (below it on a narrow screen)
 * the board's pages as thumbnails, a tap jumping to when the page was first shown, and the
 * board as it is at the video's moment; under the video a timeline marked with page turns,
 * floor changes, recording gaps and evaluation comments (each mark a button that seeks
 * there), big play and ±10 s buttons and 1× / 1.5× / 2×. Keys while the player has focus:
 * Space play/pause, ← → 5 s, [ ] previous/next page.
 */
export function recordingPlayer(rec: RecordingView, { comments = true }: PlayerOptions = {}): HTMLElement {
  const state: PlayerState = {
    rec,
    start: rec.liveStartedAt ? Date.parse(rec.liveStartedAt) : 0,
    duration: rec.durationMs ?? 0,
    ops: [],
    times: [],
    turns: [{ atMs: 0, pageId: 'p1', number: 1 }],
    comments: [],
    board: foldOps([]),
    played: 0,
  };
  const view = playerView(state);
  wire(state, view);
  renderMarks(state, view);
  renderPages(state, view);
  const off = onLangChange(() => {
    if (!view.root.isConnected) return off();
    renderMarks(state, view);
    renderPages(state, view);
    renderPosition(state, view);
  });

  api.get<{ ops: BoardOp[] }>(`/api/lessons/${rec.id}/board`).then(
    (log) => {
      state.ops = log.ops;
      state.times = log.ops.map((op) => op.at - state.start);
      state.turns = pageTurns(log.ops, state.start);
      view.board.setState(state.board);
      renderMarks(state, view);
      renderPages(state, view);
      follow(state, view);
    },
    () => undefined,
  );
  // Comments of the evaluations the caller may read (its own, or its lesson's feedback).
  if (!comments) return view.root;
  api.get<EvaluationView[]>(`/api/evaluations?lessonId=${encodeURIComponent(rec.id)}`).then(
    (evaluations) => {
      state.comments = evaluations.flatMap((e) =>
        e.comments.map((c) => ({ atSeconds: c.atSeconds, text: c.text, name: e.evaluator.name })),
      );
      renderMarks(state, view);
    },
    () => undefined,
  );
  return view.root;
}

function playerView(state: PlayerState): PlayerView {
  const { rec } = state;
  const video = h('video', {
    controls: true,
    preload: 'metadata',
    playsinline: true,
    src: `/api/library/recordings/${rec.id}/video`,
    'data-testid': 'player-video',
  });
  const board = new BoardView({
    me: { role: 'classroom', refId: 'library' },
    send: () => Promise.reject(new Error(t('library'))),
    sendLaser: () => undefined,
    uploadAsset: () => Promise.reject(new Error(t('library'))),
    assetUrl: (assetId) => assetUrl(rec.id, assetId),
  });
  board.setEditable(false);
  const seek = h('input', {
    type: 'range',
    min: 0,
    max: state.duration,
    step: 100,
    value: 0,
    'aria-label': m('seek'),
    'data-testid': 'player-seek',
  });
  const progress = h('div', { class: 'player-progress' });
  const marks = h('div', { class: 'player-marks', 'data-testid': 'player-marks' });
  const time = h(
    'span',
    { class: 'replay-time', 'data-testid': 'player-time' },
    `0:00 / ${clock(state.duration)}`,
  );
  const playButton = h('button', {
    class: 'btn player-play',
    type: 'button',
    'aria-label': m('play'),
    'data-testid': 'player-play',
  });
  const step = (seconds: number, label: string, testid: string): HTMLButtonElement =>
    h(
      'button',
      {
        class: 'btn btn-ghost',
        type: 'button',
        'aria-label': label,
        title: label,
        'data-testid': testid,
        onclick: () => seekTo(video, video.currentTime + seconds),
      },
      `${seconds < 0 ? '⟲' : '⟳'} ${Math.abs(seconds)}`,
    );
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
          for (const b of speeds)
            b.setAttribute('aria-pressed', String(b.dataset['speed'] === String(speed)));
        },
        'data-speed': String(speed),
      },
      `${speed}×`,
    ),
  );
  const pages = h('div', { class: 'player-pages', role: 'list', 'data-testid': 'player-pages' });
  const comments = h('ol', { class: 'player-comments', 'data-testid': 'player-comments' });
  const root = h(
    'section',
    { class: 'player', 'data-testid': 'player', tabindex: '-1' },
    h(
      'div',
      { class: 'player-stage' },
      video,
      h('div', { class: 'player-timeline' }, h('div', { class: 'player-track' }, progress, marks), seek),
      h(
        'div',
        { class: 'player-bar' },
        playButton,
        step(-BUTTON_STEP_S, m('back10'), 'player-back'),
        step(BUTTON_STEP_S, m('forward10'), 'player-forward'),
        time,
        h('span', { class: 'player-speeds', role: 'group', 'aria-label': m('speed') }, ...speeds),
      ),
      h('p', { class: 'player-keys' }, m('keys')),
      comments,
    ),
    h(
      'aside',
      { class: 'player-side' },
      h('h2', {}, m('pages')),
      h('p', { class: 'player-hint' }, m('pagesHint')),
      pages,
      h('h2', {}, m('board')),
      h('div', { class: 'player-board' }, board.el),
    ),
  );
  return { root, video, board, seek, progress, marks, time, playButton, speeds, pages, comments };
}

function wire(state: PlayerState, view: PlayerView): void {
  const { video, seek, root, playButton } = view;
  const tick = (): void => {
    follow(state, view);
    if (!video.paused) requestAnimationFrame(tick);
  };
  const playing = (): void => {
    playButton.textContent = video.paused ? '▶' : '❚❚';
    playButton.setAttribute('aria-label', video.paused ? m('play') : m('pause'));
  };
  playing();
  video.addEventListener('play', () => {
    playing();
    requestAnimationFrame(tick);
  });
  video.addEventListener('pause', playing);
  video.addEventListener('seeked', () => follow(state, view));
  video.addEventListener('timeupdate', () => follow(state, view));
  playButton.addEventListener('click', () => void togglePlay(video));
  seek.addEventListener('input', () => {
    video.currentTime = Number(seek.value) / 1000;
    showAt(state, view, Number(seek.value));
  });
  root.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    // Typing (an evaluation's comment) and the slider's own arrows are left alone.
    if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
    const page = (delta: number): void => {
      const visits = firstVisits(state.turns).sort((a, b) => a.atMs - b.atMs);
      const now = video.currentTime * 1000;
      const current = pageIndexAt(visits, now + 1);
      const next = visits[Math.max(0, Math.min(visits.length - 1, current + delta))];
      if (next) seekTo(video, next.atMs / 1000);
    };
    if (event.key === ' ' && target.tagName !== 'BUTTON') void togglePlay(video);
    else if (event.key === 'ArrowLeft') seekTo(video, video.currentTime - KEY_STEP_S);
    else if (event.key === 'ArrowRight') seekTo(video, video.currentTime + KEY_STEP_S);
    else if (event.key === '[') page(-1);
    else if (event.key === ']') page(1);
    else return;
    event.preventDefault();
  });
}

/** Seeks to `seconds`, kept within the recording. */
function seekTo(video: HTMLVideoElement, seconds: number): void {
  const end = Number.isFinite(video.duration) ? video.duration : Number.POSITIVE_INFINITY;
  video.currentTime = Math.max(0, Math.min(end, seconds));
}

async function togglePlay(video: HTMLVideoElement): Promise<void> {
  if (video.paused) await video.play().catch(() => undefined);
  else video.pause();
}

const follow = (state: PlayerState, view: PlayerView): void =>
  showAt(state, view, view.video.currentTime * 1000);

/** Shows the lesson as it was `ms` after its live start: the board, the current page, the position. */
function showAt(state: PlayerState, view: PlayerView, ms: number): void {
  const n = playedAt(state.times, ms);
  if (n < state.played) {
    state.board = foldOps(state.ops.slice(0, n));
    view.board.setState(state.board);
  } else if (n > state.played) {
    const touched = new Set<string>();
    for (const op of state.ops.slice(state.played, n))
      for (const id of applyOp(state.board, op)) touched.add(id);
    view.board.applied(state.board, [...touched], true);
  }
  state.played = n;
  renderPosition(state, view, ms);
}

function renderPosition(state: PlayerState, view: PlayerView, ms = view.video.currentTime * 1000): void {
  view.seek.value = String(Math.round(ms));
  view.progress.style.width = `${(100 * ms) / Math.max(1, state.duration)}%`;
  view.time.textContent = `${clock(ms)} / ${clock(state.duration)}`;
  const pageId = state.turns[pageIndexAt(state.turns, ms)]?.pageId;
  for (const button of view.pages.querySelectorAll<HTMLElement>('[data-page]')) {
    if (button.dataset['page'] === pageId) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

/** The page thumbnails (each page drawn as it was at the lesson's end), in the order first shown. */
function renderPages(state: PlayerState, view: PlayerView): void {
  const final = foldOps(state.ops);
  view.pages.replaceChildren(
    ...firstVisits(state.turns).map((visit) => {
      const label = m('pageAt', { n: visit.number, time: clock(visit.atMs) });
      return h(
        'button',
        {
          class: 'player-page',
          type: 'button',
          role: 'listitem',
          title: label,
          'aria-label': label,
          'data-page': visit.pageId,
          'data-at': String(visit.atMs),
          'data-testid': 'player-page',
          onclick: () => seekTo(view.video, visit.atMs / 1000),
        },
        pageThumbnail(final, visit.pageId, (assetId) => assetUrl(state.rec.id, assetId)),
        h(
          'span',
          {},
          h('strong', {}, m('page', { n: visit.number })),
          ' ',
          h('span', { class: 'player-page-time' }, clock(visit.atMs)),
        ),
      );
    }),
  );
  renderPosition(state, view);
}

function markLabel(mark: Mark): string {
  switch (mark.kind) {
    case 'page':
      return m('markPage', { n: mark.number });
    case 'floor':
      return mark.name ? m('markFloor', { name: mark.name }) : m('markFloorNoName');
    case 'gap':
      return m('markGap', {
        from: clock(mark.atMs),
        to: clock(mark.toMs),
        why: t(`recGapReason_${mark.reason.replace('-', '_')}` as MessageKey),
      });
    case 'comment':
      return m('markComment', { name: mark.name, text: mark.text });
  }
}

/** The timeline's marks (each a button that seeks to it) and the comments' list under the video. */
function renderMarks(state: PlayerState, view: PlayerView): void {
  const marks = timelineMarks(state.rec, state.turns, state.comments);
  const at = (ms: number): string => `${(100 * ms) / Math.max(1, state.duration)}%`;
  view.marks.replaceChildren(
    ...marks.map((mark) => {
      const label = `${clock(mark.atMs)} ${markLabel(mark)}`;
      return h('button', {
        class: `player-mark player-mark-${mark.kind}`,
        type: 'button',
        title: label,
        'aria-label': label,
        'data-kind': mark.kind,
        'data-at': String(mark.atMs),
        'data-testid': 'player-mark',
        style:
          mark.kind === 'gap'
            ? `left:${at(mark.atMs)};width:max(6px, ${at(mark.toMs - mark.atMs)})`
            : `left:${at(mark.atMs)}`,
        onclick: () => seekTo(view.video, mark.atMs / 1000),
      });
    }),
  );
  const comments = marks.filter((mark) => mark.kind === 'comment');
  view.comments.hidden = comments.length === 0;
  view.comments.replaceChildren(
    h('li', { class: 'player-comments-head' }, h('strong', {}, m('comments'))),
    ...comments.map((c) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            class: 'btn btn-ghost rs-time',
            type: 'button',
            onclick: () => seekTo(view.video, c.atMs / 1000),
          },
          clock(c.atMs),
        ),
        h('span', {}, m('commentLine', { name: c.name, text: c.text })),
      ),
    ),
  );
}

const assetUrl = (lessonId: string, assetId: string): string =>
  `/api/lessons/${lessonId}/board/assets/${assetId}`;
