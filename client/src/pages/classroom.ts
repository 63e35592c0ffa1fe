import type { LessonSummary, UserView } from '../../../server/contract/api.ts';
import type { Interaction } from '../../../server/contract/board.ts';
import type { PeerHealth } from '../../../server/contract/events.ts';
import { BoardSession } from '../board/BoardSession.ts';
import { dayAndTime, t, timeOfDay } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { LessonClient, joinsNow } from '../media/LessonClient.ts';
import { linkQuality, peerQuality, worse } from '../media/linkQuality.ts';
import { servedFigures } from '../media/servedFigures.ts';
import type { LinkQuality, LinkStats } from '../media/linkQuality.ts';
import { openLocalMedia } from '../media/localMedia.ts';
import { connectSignaling, request } from '../signaling.ts';
import { followCurrentLesson, latest } from '../currentLesson.ts';
import { h, mount } from '../ui/dom.ts';
import { formatKbps } from '../ui/format.ts';
import { retext, tr } from '../ui/text.ts';
import { lessonStateBadge, pageState, topbar } from '../ui/topbar.ts';
import { recordingIndicator } from '../library/recordingBadge.ts';
import { inspectionBadge } from '../inspection/badge.ts';
import { HeadcountControl } from '../ui/headcount.ts';

const QUALITY_LABEL: Record<LinkQuality, MessageKey> = {
  good: 'linkGood',
  constrained: 'linkConstrained',
  bad: 'linkBad',
  offline: 'linkOffline',
};

/**
 * The classroom kiosk on the interactive whiteboard: the lesson's board large (written on
 * when the teacher hands over the pen), the teacher beside it (tap to swap), the classroom
 * that has the floor, this classroom small in a corner, a big raise-hand button and the
 * link's health; joins the lesson by itself.
 */
export function classroomPage(root: HTMLElement, user: UserView): void {
  const badge = lessonStateBadge();
  const socket = connectSignaling();
  const client = new LessonClient(socket, 'classroom');
  const recording = recordingIndicator({ teacher: false, socket, media: client });
  const teacherVideo = h('video', {
    class: 'stage-video',
    'data-testid': 'teacher-video',
    autoplay: true,
    playsinline: true,
    muted: true,
  });
  teacherVideo.muted = true; // sound goes through the audio element, so video autoplay is never blocked
  const teacherAudio = h('audio', { 'data-testid': 'teacher-audio', autoplay: true });
  const preview = h('video', { class: 'pip', autoplay: true, playsinline: true, muted: true });
  preview.muted = true;
  const waitingTitle = h('h1', {}, tr('waiting'));
  const waitingDetail = h('p', {});
  const nextLesson = h('p', { class: 'next-lesson', 'data-testid': 'next-lesson', hidden: true });
  const waiting = h(
    'div',
    { class: 'stage-waiting' },
    waitingTitle,
    waitingDetail,
    nextLesson,
    h('p', { class: 'hint' }, tr('waitingHint')),
  );
  const soundBtn = h(
    'button',
    { class: 'btn btn-primary btn-xl sound-btn', type: 'button', hidden: true },
    tr('enableSound'),
  );
  const qualityLabel = h('span', {}, tr('linkOffline'));
  const figures = h('span', { class: 'figures' });
  const connection = h(
    'div',
    {
      class: 'connection',
      'data-testid': 'connection',
      'data-quality': 'offline',
      'data-video-kbps': 0,
      'data-audio-kbps': 0,
      'data-audio-packets': 0,
      role: 'status',
    },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    qualityLabel,
    figures,
  );
  const fullscreenBtn = h('button', { class: 'btn btn-ghost btn-lg', type: 'button' }, tr('fullscreen'));
  const floorVideo = h('video', {
    class: 'floor-video',
    'data-testid': 'floor-video',
    autoplay: true,
    playsinline: true,
    muted: true,
  });
  floorVideo.muted = true;
  const floorAudio = h('audio', { 'data-testid': 'floor-audio', autoplay: true });
  const floorName = h('span', {});
  const floorBox = h('div', { class: 'floor-box', hidden: true }, floorVideo, floorAudio, floorName);
  const boardBox = h('div', { class: 'stage-board' });
  const teacherBox = h(
    'button',
    { class: 'teacher-box', type: 'button', 'aria-label': t('teacher') },
    teacherVideo,
    h('span', {}, tr('teacher')),
  );
  const stage = h(
    'main',
    { class: 'stage', 'data-focus': 'board' },
    boardBox,
    teacherBox,
    teacherAudio,
    floorBox,
    waiting,
    h('div', { class: 'pip-box' }, preview, h('span', {}, tr('myCamera'))),
    soundBtn,
  );
  const handBtn = h(
    'button',
    { class: 'btn btn-primary btn-xl hand-btn', type: 'button', 'data-testid': 'raise-hand', disabled: true },
    tr('raiseHand'),
  );
  const roomNote = h('span', { class: 'room-note', 'data-testid': 'room-note', role: 'status' });
  let board: BoardSession | null = null;
  let interaction: Interaction = { hands: [], floor: null, spotlight: null, muted: [] };
  /** peerId → the participant (teacher or a classroom). */
  const peerRoles = new Map<string, { role: 'teacher' | 'classroom'; refId: string }>();
  const headcount = new HeadcountControl();
  let lesson: LessonSummary | null = null;
  /** The next scheduled lesson after this one, from the published timetable. */
  let next: LessonSummary | null = null;
  let stats: LinkStats | null = null;
  /** This classroom as the SFU sees it: its bandwidth estimate and the teacher camera layer it gets. */
  let served: PeerHealth | null = null;

  mount(
    root,
    h(
      'div',
      { class: 'kiosk' },
      topbar(
        'classroom',
        h('span', { class: 'rec-indicator' }, badge.el, recording.el, inspectionBadge(socket)),
        user.realName,
      ),
      stage,
      h(
        'footer',
        { class: 'kiosk-bar' },
        connection,
        roomNote,
        h('div', { class: 'spacer' }),
        handBtn,
        headcount.el,
        fullscreenBtn,
      ),
    ),
  );

  const renderConnection = (): void => {
    const quality = worse(
      linkQuality(stats, client.state === 'joined' && socket.connected),
      served ? peerQuality(served) : 'good',
    );
    connection.dataset['quality'] = quality;
    connection.dataset['videoKbps'] = String(stats?.videoKbps ?? 0);
    connection.dataset['audioKbps'] = String(stats?.audioKbps ?? 0);
    connection.dataset['audioPackets'] = String(stats?.audioPackets ?? 0);
    connection.dataset['cameraLayer'] = String(served?.cameraLayer?.current ?? '');
    connection.dataset['availableKbps'] = String(Math.round((served?.availableBitrate ?? 0) / 1000));
    retext(qualityLabel, QUALITY_LABEL[quality]);
    figures.textContent =
      stats && client.state === 'joined'
        ? [
            formatKbps(stats.videoKbps + stats.audioKbps),
            stats.height ? `${stats.height}p` : '',
            `${t('rtt')} ${stats.rttMs ?? '–'} ms`,
            `${t('loss')} ${stats.lossPct}%`,
            ...servedFigures(served),
          ]
            .filter(Boolean)
            .join(' · ')
        : '';
  };

  const render = (): void => {
    const state = pageState(lesson?.state ?? null);
    badge.set(state);
    recording.setLesson(lesson);
    stage.dataset['state'] = state;
    waiting.hidden = state === 'live';
    if (state === 'ended') retext(waitingTitle, 'lessonEnded');
    else retext(waitingTitle, 'waiting');
    waitingDetail.textContent = lesson
      ? `${lesson.title} · ${lesson.teacherName} · ${timeOfDay(lesson.scheduledStart)}–${timeOfDay(lesson.scheduledEnd)}`
      : t('noLesson');
    headcount.show(lesson, user.classroomId);
    renderInteraction();
    nextLesson.hidden = !next;
    nextLesson.textContent = next
      ? `${t('nextLesson')}：${next.title} · ${next.teacherName} · ${dayAndTime(next.scheduledStart)}`
      : '';
    renderConnection();
  };

  const renderInteraction = (): void => {
    const me = user.classroomId;
    const raised = interaction.hands.some((hand) => hand.classroomId === me);
    handBtn.disabled = client.state !== 'joined' || lesson?.state !== 'live' || interaction.floor === me;
    handBtn.setAttribute('aria-pressed', String(raised));
    retext(handBtn, raised ? 'lowerHand' : 'raiseHand');
    const notes: MessageKey[] = [];
    if (interaction.floor === me) notes.push('youHaveFloor');
    if (me && interaction.muted.includes(me)) notes.push('mutedByTeacher');
    roomNote.textContent = notes.map((key) => t(key)).join(' · ');
    const speaker = lesson?.classrooms.find((c) => c.id === interaction.floor && c.id !== me);
    floorName.textContent = speaker ? `${t('speaking')}：${speaker.schoolName} · ${speaker.name}` : '';
  };

  /** The board of the live lesson; closed when the lesson is no longer live. */
  const showBoard = (shown: LessonSummary | null): void => {
    const wanted = shown?.state === 'live' ? shown : null;
    if (board && board.lessonId !== wanted?.id) {
      board.close();
      board = null;
      boardBox.replaceChildren();
    }
    if (!wanted || board || !user.classroomId) return;
    board = new BoardSession(socket, wanted, { role: 'classroom', refId: user.classroomId });
    boardBox.replaceChildren(board.view.el);
    void board.open();
  };

  const showLesson = (shown: LessonSummary | null): void => {
    // An ended lesson stays on screen until the next one becomes current.
    if (!shown && lesson?.state === 'ended') return;
    if (shown?.id !== lesson?.id) interaction = { hands: [], floor: null, spotlight: null, muted: [] };
    lesson = shown;
    render();
    showBoard(shown);
    // Also before the start: waiting in the lesson's media room, the teacher shows at once.
    if (joinsNow(shown)) void client.join(shown).catch(() => undefined);
    else if (client.lessonId) void client.leave();
  };

  const playAudio = (): void => {
    teacherAudio.play().then(
      () => (soundBtn.hidden = true),
      () => (soundBtn.hidden = false),
    );
  };
  soundBtn.addEventListener('click', playAudio);
  fullscreenBtn.addEventListener('click', () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen().catch(() => undefined);
  });
  document.addEventListener('fullscreenchange', () =>
    retext(fullscreenBtn, document.fullscreenElement ? 'exitFullscreen' : 'fullscreen'),
  );

  client.on('peerjoined', (peer) => peerRoles.set(peer.peerId, peer));
  client.on('peerleft', ({ peerId }) => peerRoles.delete(peerId));
  /** consumerId → the element playing it. */
  const playing = new Map<string, HTMLMediaElement>();
  client.on('track', ({ consumerId, peerId, kind, track }) => {
    // The teacher, or the classroom the teacher gave the floor to.
    const fromTeacher = peerRoles.get(peerId)?.role !== 'classroom';
    const el =
      kind === 'video' ? (fromTeacher ? teacherVideo : floorVideo) : fromTeacher ? teacherAudio : floorAudio;
    el.srcObject = new MediaStream([track]);
    playing.set(consumerId, el);
    if (!fromTeacher) floorBox.hidden = false;
    if (kind === 'video') void (el as HTMLVideoElement).play().catch(() => undefined);
    else if (fromTeacher) playAudio();
    else void el.play().catch(() => undefined);
  });
  client.on('trackended', ({ consumerId }) => {
    const el = playing.get(consumerId);
    playing.delete(consumerId);
    const live = (media: HTMLMediaElement): boolean =>
      (media.srcObject as MediaStream | null)?.getTracks().some((track) => track.readyState === 'live') ??
      false;
    if (el && !live(el)) el.srcObject = null;
    floorBox.hidden = !live(floorVideo) && !live(floorAudio);
  });
  client.on('interaction', (next) => {
    interaction = next;
    const me = user.classroomId;
    void client
      .setCameraFeatured(!!me && (next.floor === me || next.spotlight === me))
      .catch(() => undefined);
    renderInteraction();
  });
  client.on('health', (peers) => {
    served = peers.find((p) => p.peerId === client.peerId) ?? null;
    renderConnection();
  });
  handBtn.addEventListener('click', () => {
    if (!lesson || !user.classroomId) return;
    const raised = interaction.hands.some((hand) => hand.classroomId === user.classroomId);
    request(socket, 'hand:set', { lessonId: lesson.id, raised: !raised }).then(
      (next) => {
        interaction = next;
        renderInteraction();
      },
      () => undefined,
    );
  });
  teacherBox.addEventListener('click', () => {
    stage.dataset['focus'] = stage.dataset['focus'] === 'teacher' ? 'board' : 'teacher';
  });
  client.on('stats', (next) => {
    stats = next;
    renderConnection();
  });
  client.on('state', (state) => {
    if (state !== 'joined') stats = null;
    renderConnection();
    renderInteraction();
  });
  socket.on('lesson:state', ({ lesson: summary }) => showLesson(summary));
  socket.on('disconnect', renderConnection);

  openLocalMedia('classroom').then(
    (stream) => {
      preview.srcObject = stream;
      return client.setLocalStream(stream);
    },
    () => undefined,
  );
  followCurrentLesson(socket, ({ lesson: answer, next: coming }) => {
    next = coming;
    const current = latest(lesson, answer);
    // A live lesson stays on screen until its end is pushed, whatever the clock says.
    if (current || lesson?.state !== 'live') showLesson(current);
    else render();
  });
}
