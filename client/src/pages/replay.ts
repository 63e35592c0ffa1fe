import type { UserView } from '../../../server/contract/api.ts';
import { applyOp, foldOps } from '../../../server/contract/board.ts';
import type { BoardOp, BoardState } from '../../../server/contract/board.ts';
import { api } from '../api.ts';
import { BoardView } from '../board/BoardView.ts';
import { dateTime, t } from '../i18n.ts';
import { clock, playbackTimes, playedAt } from '../replay/timeline.ts';
import { h, mount } from '../ui/dom.ts';
import { retext, tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';

const SPEEDS = [1, 4, 16] as const;

/**
 * A lesson's board replayed from its log (/replay?lesson=<id>), for whoever may see the
 * lesson: play, pause, speed, and a slider to any moment. Pages turn as they turned in class.
 */
export function replayPage(root: HTMLElement, user: UserView): void {
  const lessonId = new URLSearchParams(location.search).get('lesson') ?? '';
  const view = new BoardView({
    me: { role: 'classroom', refId: 'replay' },
    send: () => Promise.reject(new Error(t('replayTitle'))),
    sendLaser: () => undefined,
    uploadAsset: () => Promise.reject(new Error(t('replayTitle'))),
    assetUrl: (assetId) => `/api/lessons/${lessonId}/board/assets/${assetId}`,
  });
  view.setEditable(false);
  const title = h('h1', { class: 'lesson-title' }, tr('replayTitle'));
  const status = h('p', { class: 'lesson-meta', role: 'status' });
  const playBtn = h(
    'button',
    { class: 'btn btn-primary btn-lg', type: 'button', 'data-testid': 'replay-play', disabled: true },
    tr('replayPlay'),
  );
  const speedBtn = h('button', { class: 'btn btn-ghost btn-lg', type: 'button' }, '1×');
  const slider = h('input', {
    type: 'range',
    class: 'replay-slider',
    'data-testid': 'replay-slider',
    min: 0,
    max: 0,
    step: 100,
    value: 0,
    disabled: true,
  });
  const time = h('span', { class: 'replay-time', 'data-testid': 'replay-time' }, '0:00 / 0:00');
  mount(
    root,
    topbar('replayTitle', null, user.realName),
    h(
      'main',
      { class: 'replay' },
      h('header', { class: 'replay-head' }, title, status),
      h('section', { class: 'replay-board' }, view.el),
      h(
        'footer',
        { class: 'replay-bar' },
        playBtn,
        speedBtn,
        slider,
        time,
        h('small', {}, tr('replayGapNote')),
      ),
    ),
  );

  let ops: BoardOp[] = [];
  let times: number[] = [];
  let state: BoardState = foldOps([]);
  let played = 0;
  let position = 0;
  let speed: (typeof SPEEDS)[number] = 1;
  let playing = false;
  let last = 0;

  /** Shows the board as it was at `to` ms of playback. */
  const seek = (to: number): void => {
    position = Math.max(0, Math.min(to, times.at(-1) ?? 0));
    const n = playedAt(times, position);
    if (n < played) {
      state = foldOps(ops.slice(0, n));
      view.setState(state);
    } else if (n > played) {
      const touched = new Set<string>();
      let structural = false;
      for (const op of ops.slice(played, n)) {
        for (const id of applyOp(state, op)) touched.add(id);
        structural ||= op.change.t === 'page' || op.change.t === 'addPages' || op.change.t === 'pen';
      }
      view.applied(state, [...touched], structural);
    }
    played = n;
    slider.value = String(position);
    time.textContent = `${clock(position)} / ${clock(times.at(-1) ?? 0)}`;
    const at = ops[n - 1]?.at;
    status.textContent = at ? dateTime(at) : '';
  };

  const tick = (now: number): void => {
    if (!playing) return;
    seek(position + (now - last) * speed);
    last = now;
    if (position >= (times.at(-1) ?? 0)) setPlaying(false);
    else requestAnimationFrame(tick);
  };
  const setPlaying = (on: boolean): void => {
    playing = on;
    retext(playBtn, on ? 'replayPause' : 'replayPlay');
    if (!on) return;
    if (position >= (times.at(-1) ?? 0)) seek(0);
    last = performance.now();
    requestAnimationFrame(tick);
  };

  playBtn.addEventListener('click', () => setPlaying(!playing));
  speedBtn.addEventListener('click', () => {
    speed = SPEEDS[(SPEEDS.indexOf(speed) + 1) % SPEEDS.length]!;
    speedBtn.textContent = `${speed}×`;
  });
  slider.addEventListener('input', () => seek(Number(slider.value)));

  Promise.all([api.lesson(lessonId), api.get<{ ops: BoardOp[] }>(`/api/lessons/${lessonId}/board`)]).then(
    ([lesson, log]) => {
      title.removeAttribute('data-i18n');
      title.textContent = `${t('replayTitle')} · ${lesson.title}`;
      ops = log.ops;
      times = playbackTimes(ops);
      view.setState(state);
      slider.max = String(times.at(-1) ?? 0);
      slider.disabled = playBtn.disabled = ops.length === 0;
      if (!ops.length) status.textContent = t('replayEmpty');
      // Open at the end: the board as the lesson left it.
      seek(times.at(-1) ?? 0);
    },
    (error: Error) => (status.textContent = error.message),
  );
}
