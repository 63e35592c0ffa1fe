import type { ClassroomRef, LessonSummary, UserView } from '../../../server/contract/api.ts';
import type { PeerHealth } from '../../../server/contract/events.ts';
import { api } from '../api.ts';
import { t, timeOfDay } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { LessonClient } from '../media/LessonClient.ts';
import { peerQuality } from '../media/linkQuality.ts';
import { openLocalMedia } from '../media/localMedia.ts';
import { connectSignaling, request } from '../signaling.ts';
import { h, mount } from '../ui/dom.ts';
import { formatKbps } from '../ui/format.ts';
import { retext, tr } from '../ui/text.ts';
import { lessonStateBadge, pageState, topbar } from '../ui/topbar.ts';

const CONNECTION_LABEL: Record<PeerHealth['connection'] | 'none', MessageKey> = {
  none: 'notConnected',
  new: 'connecting',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'disconnected',
  failed: 'failed',
  closed: 'notConnected',
};

/** One receiving classroom in the teacher's grid. */
class ClassroomTile {
  readonly el: HTMLElement;
  readonly video = h('video', {
    'data-testid': 'classroom-video',
    autoplay: true,
    playsinline: true,
    muted: true,
  });
  readonly #audio = h('audio', { autoplay: true });
  readonly #badge = h('span', { class: 'conn-badge' }, tr('notConnected'));
  readonly #figures = h('span', { class: 'figures' });

  constructor(readonly classroom: ClassroomRef) {
    this.video.muted = true;
    this.el = h(
      'article',
      {
        class: 'tile',
        'data-testid': 'classroom-tile',
        'data-classroom-id': classroom.id,
        'data-connection': 'none',
      },
      h(
        'div',
        { class: 'tile-video' },
        this.video,
        this.#audio,
        h('div', { class: 'tile-placeholder' }, classroom.name),
      ),
      h(
        'footer',
        { class: 'tile-footer' },
        h(
          'div',
          { class: 'tile-name' },
          h('strong', {}, classroom.name),
          h('small', {}, `${classroom.schoolName} · ${classroom.downlinkMbps} Mbit/s`),
        ),
        h('div', { class: 'tile-health' }, this.#badge, this.#figures),
      ),
    );
  }

  attach(kind: 'audio' | 'video', track: MediaStreamTrack): void {
    const element = kind === 'video' ? this.video : this.#audio;
    element.srcObject = new MediaStream([track]);
    element.play().catch(() => undefined);
    this.el.classList.toggle('has-video', kind === 'video' || this.el.classList.contains('has-video'));
  }

  detach(kind?: 'audio' | 'video'): void {
    if (kind !== 'audio') {
      this.video.srcObject = null;
      this.el.classList.remove('has-video');
    }
    if (kind !== 'video') this.#audio.srcObject = null;
  }

  health(h: PeerHealth | null): void {
    const connection = h?.connection ?? 'none';
    this.el.dataset['connection'] = connection;
    retext(this.#badge, CONNECTION_LABEL[connection]);
    this.el.dataset['quality'] = peerQuality(h);
    this.#figures.textContent = h
      ? [
          `↑ ${formatKbps(h.sendBitrate / 1000)} · ↓ ${formatKbps(h.recvBitrate / 1000)}`,
          h.rttMs !== null ? `${t('rtt')} ${h.rttMs} ms` : '',
          h.lossPct !== null ? `${t('loss')} ${h.lossPct}%` : '',
        ]
          .filter(Boolean)
          .join(' · ')
      : '';
  }
}

/**
 * The hub teacher's studio: own preview, start and end, and the grid of receiving
 * classrooms with their video, sound and link health.
 */
export function studioPage(root: HTMLElement, user: UserView): void {
  const badge = lessonStateBadge();
  const socket = connectSignaling();
  const client = new LessonClient(socket, 'teacher');
  const preview = h('video', { class: 'preview', autoplay: true, playsinline: true, muted: true });
  preview.muted = true;
  const title = h('h1', { class: 'lesson-title' });
  const meta = h('p', { class: 'lesson-meta' });
  const notice = h('p', { class: 'notice', role: 'status' });
  const startBtn = h(
    'button',
    { class: 'btn btn-primary btn-xl', type: 'button', 'data-testid': 'lesson-start', disabled: true },
    tr('start'),
  );
  const endBtn = h(
    'button',
    { class: 'btn btn-danger btn-xl', type: 'button', 'data-testid': 'lesson-end', disabled: true },
    tr('end'),
  );
  const grid = h('section', { class: 'grid', 'aria-label': t('classrooms') });
  const tiles = new Map<string, ClassroomTile>();
  /** peerId → classroom id. */
  const peers = new Map<string, string>();
  /** consumerId → { classroom id, kind }. */
  const tracks = new Map<string, { refId: string; kind: 'audio' | 'video' }>();
  let lesson: LessonSummary | null = null;

  mount(
    root,
    topbar('studio', badge.el, user.realName),
    h(
      'main',
      { class: 'studio' },
      h(
        'aside',
        { class: 'studio-side' },
        h('div', { class: 'preview-box' }, preview, h('span', { class: 'preview-label' }, tr('teacher'))),
        title,
        meta,
        h('div', { class: 'actions' }, startBtn, endBtn),
        notice,
      ),
      grid,
    ),
  );

  const render = (): void => {
    const state = pageState(lesson?.state ?? null);
    badge.set(state);
    startBtn.disabled = !lesson || lesson.state !== 'scheduled';
    endBtn.disabled = !lesson || lesson.state !== 'live';
    if (!lesson) {
      retext(title, 'noLesson');
      meta.textContent = '';
      return;
    }
    title.removeAttribute('data-i18n');
    title.textContent = lesson.title;
    meta.textContent = `${lesson.clusterName} · ${timeOfDay(lesson.scheduledStart)}–${timeOfDay(lesson.scheduledEnd)} · ${lesson.hubClassroom.schoolName} ${lesson.hubClassroom.name}`;
  };

  const showLesson = (next: LessonSummary | null): void => {
    const changed = next?.id !== lesson?.id;
    lesson = next;
    if (changed) {
      tiles.clear();
      for (const classroom of next?.classrooms ?? []) tiles.set(classroom.id, new ClassroomTile(classroom));
      // 2×2 for the usual 1+4 cluster, 3 columns for larger ones.
      grid.style.gridTemplateColumns = `repeat(${Math.max(1, Math.ceil(Math.sqrt(tiles.size)))}, minmax(0, 1fr))`;
      mount(grid, ...[...tiles.values()].map((tile) => tile.el));
    }
    render();
    if (next?.state === 'live') void client.join(next).catch(() => undefined);
    if (next?.state === 'ended') void client.leave();
  };

  const act = (button: HTMLButtonElement, busy: MessageKey, event: 'lesson:start' | 'lesson:end'): void => {
    if (!lesson) return;
    button.disabled = true;
    retext(button, busy);
    notice.textContent = '';
    request(socket, event, { lessonId: lesson.id }).then(
      (summary) => {
        retext(button, event === 'lesson:start' ? 'start' : 'end');
        showLesson(summary);
      },
      (error: Error) => {
        retext(button, event === 'lesson:start' ? 'start' : 'end');
        notice.textContent = error.message;
        render();
      },
    );
  };
  startBtn.addEventListener('click', () => act(startBtn, 'starting', 'lesson:start'));
  endBtn.addEventListener('click', () => act(endBtn, 'ending', 'lesson:end'));

  client.on('peerjoined', (peer) => {
    if (peer.role === 'classroom') peers.set(peer.peerId, peer.refId);
  });
  client.on('peerleft', ({ peerId }) => {
    const refId = peers.get(peerId);
    peers.delete(peerId);
    if (refId) tiles.get(refId)?.detach();
  });
  client.on('track', ({ consumerId, peerId, kind, track }) => {
    const refId = peers.get(peerId);
    const tile = refId ? tiles.get(refId) : undefined;
    if (!refId || !tile) return;
    tracks.set(consumerId, { refId, kind });
    tile.attach(kind, track);
  });
  client.on('trackended', ({ consumerId }) => {
    const track = tracks.get(consumerId);
    tracks.delete(consumerId);
    if (track) tiles.get(track.refId)?.detach(track.kind);
  });
  client.on('health', (list) => {
    for (const tile of tiles.values()) tile.health(list.find((p) => p.refId === tile.classroom.id) ?? null);
  });
  client.on('state', (state, detail) => {
    if (state === 'failed') notice.textContent = detail ?? '';
  });
  socket.on('lesson:state', ({ lesson: summary }) => {
    if (summary.id === lesson?.id) showLesson(summary);
  });

  openLocalMedia('teacher').then(
    (stream) => {
      preview.srcObject = stream;
      return client.setLocalStream(stream);
    },
    () => (notice.textContent = t('cameraError')),
  );
  api.currentLesson().then(
    ({ lesson: current }) => showLesson(current),
    (error: Error) => (notice.textContent = error.message),
  );
}
