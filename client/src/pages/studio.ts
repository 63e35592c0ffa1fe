import type { LessonSummary, UserView } from '../../../server/contract/api.ts';
import type { Interaction } from '../../../server/contract/board.ts';
import { BoardSession } from '../board/BoardSession.ts';
import { t, timeOfDay } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { LessonClient, joinsNow } from '../media/LessonClient.ts';
import type { RemoteTrack } from '../media/LessonClient.ts';
import { openLocalMedia } from '../media/localMedia.ts';
import { connectSignaling, request } from '../signaling.ts';
import { followCurrentLesson, latest } from '../currentLesson.ts';
import { ClassroomGrid } from '../studio/ClassroomGrid.ts';
import type { TileActions } from '../studio/ClassroomTile.ts';
import { h, mount } from '../ui/dom.ts';
import { retext, tr } from '../ui/text.ts';
import { lessonStateBadge, pageState, topbar } from '../ui/topbar.ts';
import { recordingIndicator } from '../library/recordingBadge.ts';
import { inspectionBadge } from '../inspection/badge.ts';

/**
 * The hub teacher's studio: the lesson's board (courseware and ink), own preview, start and
 * end, raised hands, and the grid of receiving classrooms with their video, sound, link
 * health and what the teacher can do to each (pen, floor, mute, spotlight).
 */
export function studioPage(root: HTMLElement, user: UserView): void {
  const badge = lessonStateBadge();
  const socket = connectSignaling();
  const client = new LessonClient(socket, 'teacher');
  const recording = recordingIndicator({ teacher: true, socket, media: client });
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
  const gridBox = h('section', { class: 'grid-box', 'aria-label': t('classrooms') });
  const boardBox = h('section', { class: 'studio-board', 'aria-label': t('boardSurface') });
  const handList = h('ol', { class: 'hand-list', 'data-testid': 'hand-list' });
  const hands = h('section', { class: 'hands', 'aria-live': 'polite' }, h('h2', {}, tr('hands')), handList);
  let grid: ClassroomGrid | null = null;
  let board: BoardSession | null = null;
  let interaction: Interaction = { hands: [], floor: null, spotlight: null, muted: [] };
  /** peerId → classroom id. */
  const peers = new Map<string, string>();
  /** consumerId → { classroom id, kind }. */
  const tracks = new Map<string, { refId: string; kind: 'audio' | 'video' }>();
  let lesson: LessonSummary | null = null;

  mount(
    root,
    topbar(
      'studio',
      h('span', { class: 'rec-indicator' }, badge.el, recording.el, inspectionBadge(socket)),
      user.realName,
    ),
    h(
      'main',
      { class: 'studio' },
      boardBox,
      h(
        'aside',
        { class: 'studio-side' },
        h(
          'div',
          { class: 'studio-head' },
          h('div', { class: 'preview-box' }, preview, h('span', { class: 'preview-label' }, tr('teacher'))),
          h('div', {}, title, meta),
        ),
        h('div', { class: 'actions' }, startBtn, endBtn),
        notice,
        hands,
        gridBox,
        h(
          'nav',
          { class: 'actions studio-links' },
          h(
            'a',
            { class: 'btn btn-ghost', href: '/evaluations', 'data-testid': 'evaluations-link' },
            tr('evalMine'),
          ),
          h(
            'a',
            { class: 'btn btn-ghost', href: '/research', 'data-testid': 'research-link' },
            tr('researchTitle'),
          ),
        ),
      ),
    ),
  );

  /** Runs a teacher's action on the lesson; a refusal shows in the notice. */
  const act = (run: (lessonId: string) => Promise<unknown>): void => {
    if (!lesson) return;
    notice.textContent = '';
    run(lesson.id).catch((error: Error) => (notice.textContent = error.message));
  };
  const actions: TileActions = {
    pen: (classroomId, give) =>
      act(async () => board?.change({ t: 'pen', holder: give ? classroomId : null })),
    floor: (classroomId, give) =>
      act((lessonId) => request(socket, 'floor:set', { lessonId, classroomId: give ? classroomId : null })),
    mute: (classroomId, muted) =>
      act((lessonId) => request(socket, 'mute:set', { lessonId, classroomId, muted })),
    spotlight: (classroomId, on) =>
      act((lessonId) => request(socket, 'spotlight:set', { lessonId, classroomId: on ? classroomId : null })),
  };

  const renderInteraction = (): void => {
    grid?.interaction(interaction, board?.penHolder ?? null);
    const rows = interaction.hands.map((hand, i) => {
      const classroom = lesson?.classrooms.find((c) => c.id === hand.classroomId);
      const give = h(
        'button',
        { class: 'btn btn-primary', type: 'button', 'data-testid': 'hand-floor' },
        tr('giveFloor'),
      );
      give.addEventListener('click', () => actions.floor(hand.classroomId, true));
      const lower = h('button', { class: 'btn btn-ghost', type: 'button' }, tr('lowerHand'));
      lower.addEventListener('click', () =>
        act((lessonId) =>
          request(socket, 'hand:set', { lessonId, raised: false, classroomId: hand.classroomId }),
        ),
      );
      return h(
        'li',
        { 'data-classroom-id': hand.classroomId },
        h('span', {}, `${i + 1}. ${classroom ? `${classroom.schoolName} · ${classroom.name}` : ''}`),
        give,
        lower,
      );
    });
    mount(handList, ...(rows.length ? rows : [h('li', { class: 'muted' }, tr('noHands'))]));
  };

  /** The board of the lesson shown: opened for a scheduled or live lesson, closed when it ends. */
  const showBoard = (next: LessonSummary | null): void => {
    const wanted = next && next.state !== 'ended' ? next : null;
    if (board && board.lessonId !== wanted?.id) {
      board.close();
      board = null;
      boardBox.replaceChildren();
    }
    if (next?.state === 'ended')
      boardBox.replaceChildren(
        h(
          'div',
          { class: 'board-ended' },
          h('p', {}, tr('lessonEnded')),
          h('a', { class: 'btn btn-primary btn-lg', href: `/replay?lesson=${next.id}` }, tr('replayLink')),
          h(
            'a',
            { class: 'btn btn-ghost btn-lg', href: '/library', 'data-testid': 'library-link' },
            tr('libraryLink'),
          ),
        ),
      );
    if (!wanted || board) return;
    board = new BoardSession(socket, wanted, { role: 'teacher', refId: user.id });
    board.on('pen', renderInteraction);
    boardBox.replaceChildren(board.view.el);
    void board.open();
  };

  const render = (): void => {
    const state = pageState(lesson?.state ?? null);
    badge.set(state);
    recording.setLesson(lesson);
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
      interaction = { hands: [], floor: null, spotlight: null, muted: [] };
      // Only the classrooms in view send the teacher their camera (a broadcast pages through them).
      grid = new ClassroomGrid(next?.classrooms ?? [], actions, (inView) =>
        client.setVideoFilter((producer) => {
          const classroomId = peers.get(producer.peerId);
          return classroomId === undefined || inView.has(classroomId);
        }),
      );
      mount(gridBox, grid.el);
    }
    render();
    showBoard(next);
    renderInteraction();
    // Before the start too: the camera goes up and the classrooms waiting are received at once.
    if (joinsNow(next)) void client.join(next).catch(() => undefined);
    if (next?.state === 'ended') void client.leave();
  };

  const lifecycle = (
    button: HTMLButtonElement,
    busy: MessageKey,
    event: 'lesson:start' | 'lesson:end',
  ): void => {
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
  startBtn.addEventListener('click', () => lifecycle(startBtn, 'starting', 'lesson:start'));
  endBtn.addEventListener('click', () => lifecycle(endBtn, 'ending', 'lesson:end'));
  client.on('interaction', (next) => {
    // The classroom given the floor is the one the teacher talks with: bring it into view.
    if (next.floor && next.floor !== interaction.floor) grid?.reveal(next.floor);
    interaction = next;
    renderInteraction();
  });

  /** Tracks of classrooms not yet announced (waiting for the start), by peer id. */
  const unplaced = new Map<string, RemoteTrack[]>();
  client.on('peerjoined', (peer) => {
    if (peer.role !== 'classroom') return;
    peers.set(peer.peerId, peer.refId);
    const waiting = unplaced.get(peer.peerId) ?? [];
    unplaced.delete(peer.peerId);
    for (const track of waiting) placeTrack(track);
  });
  client.on('peerleft', ({ peerId }) => {
    const refId = peers.get(peerId);
    peers.delete(peerId);
    unplaced.delete(peerId);
    if (refId) grid?.tile(refId)?.detach();
  });
  const placeTrack = (remote: RemoteTrack): void => {
    const { consumerId, peerId, kind, track } = remote;
    const refId = peers.get(peerId);
    if (!refId) {
      // A classroom waiting for the start: its tile shows it once the lesson is live.
      unplaced.set(peerId, [...(unplaced.get(peerId) ?? []), remote]);
      return;
    }
    const tile = grid?.tile(refId);
    if (!tile) return;
    tracks.set(consumerId, { refId, kind });
    tile.attach(kind, track);
  };
  client.on('track', placeTrack);
  client.on('trackended', ({ consumerId, peerId }) => {
    const waiting = unplaced.get(peerId)?.filter((t) => t.consumerId !== consumerId);
    if (waiting) unplaced.set(peerId, waiting);
    const track = tracks.get(consumerId);
    tracks.delete(consumerId);
    if (track) grid?.tile(track.refId)?.detach(track.kind);
  });
  client.on('health', (list) => {
    grid?.health(list);
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
  // The next lesson comes on screen by itself: the studio stays open all day.
  followCurrentLesson(
    socket,
    ({ lesson: answer }) => {
      const current = latest(lesson, answer);
      if (current || lesson?.state !== 'live') showLesson(current);
    },
    (error) => (notice.textContent = error.message),
  );
}
