import type { LessonSummary, UserView } from '../../../server/contract/api.ts';
import { api } from '../api.ts';
import { dayAndTime, t, timeOfDay } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { LessonClient } from '../media/LessonClient.ts';
import { linkQuality } from '../media/linkQuality.ts';
import type { LinkQuality, LinkStats } from '../media/linkQuality.ts';
import { openLocalMedia } from '../media/localMedia.ts';
import { connectSignaling } from '../signaling.ts';
import { h, mount } from '../ui/dom.ts';
import { formatKbps } from '../ui/format.ts';
import { retext, tr } from '../ui/text.ts';
import { lessonStateBadge, pageState, topbar } from '../ui/topbar.ts';
import { HeadcountControl } from '../ui/headcount.ts';

const QUALITY_LABEL: Record<LinkQuality, MessageKey> = {
  good: 'linkGood',
  constrained: 'linkConstrained',
  bad: 'linkBad',
  offline: 'linkOffline',
};

/** How often the kiosk re-reads its current lesson (a timetable change, a new day), ms. */
const POLL_MS = 20_000;

/**
 * The classroom kiosk on the interactive whiteboard: the teacher full screen, this
 * classroom small in a corner, the link's health; joins the lesson by itself.
 */
export function classroomPage(root: HTMLElement, user: UserView): void {
  const badge = lessonStateBadge();
  const socket = connectSignaling();
  const client = new LessonClient(socket, 'classroom');
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
  const stage = h(
    'main',
    { class: 'stage' },
    teacherVideo,
    teacherAudio,
    waiting,
    h('div', { class: 'pip-box' }, preview, h('span', {}, tr('myCamera'))),
    soundBtn,
  );
  const headcount = new HeadcountControl();
  let lesson: LessonSummary | null = null;
  /** The next scheduled lesson after this one, from the published timetable. */
  let next: LessonSummary | null = null;
  let stats: LinkStats | null = null;

  mount(
    root,
    h(
      'div',
      { class: 'kiosk' },
      topbar('classroom', badge.el, user.realName),
      stage,
      h(
        'footer',
        { class: 'kiosk-bar' },
        connection,
        h('div', { class: 'spacer' }),
        headcount.el,
        fullscreenBtn,
      ),
    ),
  );

  const renderConnection = (): void => {
    const quality = linkQuality(stats, client.state === 'joined' && socket.connected);
    connection.dataset['quality'] = quality;
    connection.dataset['videoKbps'] = String(stats?.videoKbps ?? 0);
    connection.dataset['audioKbps'] = String(stats?.audioKbps ?? 0);
    connection.dataset['audioPackets'] = String(stats?.audioPackets ?? 0);
    retext(qualityLabel, QUALITY_LABEL[quality]);
    figures.textContent =
      stats && client.state === 'joined'
        ? `${formatKbps(stats.videoKbps + stats.audioKbps)} · ${stats.height ? `${stats.height}p · ` : ''}${t('rtt')} ${stats.rttMs ?? '–'} ms · ${t('loss')} ${stats.lossPct}%`
        : '';
  };

  const render = (): void => {
    const state = pageState(lesson?.state ?? null);
    badge.set(state);
    stage.dataset['state'] = state;
    waiting.hidden = state === 'live';
    if (state === 'ended') retext(waitingTitle, 'lessonEnded');
    else retext(waitingTitle, 'waiting');
    waitingDetail.textContent = lesson
      ? `${lesson.title} · ${lesson.teacherName} · ${timeOfDay(lesson.scheduledStart)}–${timeOfDay(lesson.scheduledEnd)}`
      : t('noLesson');
    headcount.show(lesson, user.classroomId);
    nextLesson.hidden = !next;
    nextLesson.textContent = next
      ? `${t('nextLesson')}：${next.title} · ${next.teacherName} · ${dayAndTime(next.scheduledStart)}`
      : '';
    renderConnection();
  };

  const showLesson = (shown: LessonSummary | null): void => {
    // An ended lesson stays on screen until the next one becomes current.
    if (!shown && lesson?.state === 'ended') return;
    lesson = shown;
    render();
    if (shown?.state === 'live') void client.join(shown).catch(() => undefined);
    else if (client.lessonId) void client.leave();
  };

  const refresh = (): void => {
    api.currentLesson().then(
      ({ lesson: current, next: coming }) => {
        next = coming;
        if (current || lesson?.state !== 'live') showLesson(current);
        else render();
      },
      () => undefined,
    );
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

  client.on('track', ({ kind, track }) => {
    if (kind === 'video') {
      teacherVideo.srcObject = new MediaStream([track]);
      void teacherVideo.play().catch(() => undefined);
    } else {
      teacherAudio.srcObject = new MediaStream([track]);
      playAudio();
    }
  });
  client.on('trackended', () => {
    const live = (el: HTMLMediaElement): boolean =>
      (el.srcObject as MediaStream | null)?.getTracks().some((track) => track.readyState === 'live') ?? false;
    if (!live(teacherVideo)) teacherVideo.srcObject = null;
    if (!live(teacherAudio)) teacherAudio.srcObject = null;
  });
  client.on('stats', (next) => {
    stats = next;
    renderConnection();
  });
  client.on('state', (state) => {
    if (state !== 'joined') stats = null;
    renderConnection();
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
  refresh();
  window.setInterval(refresh, POLL_MS);
}
