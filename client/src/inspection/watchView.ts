import type { LessonSummary, UserView } from '../../../server/contract/api.ts';
import type { InspectionNoteView } from '../../../server/contract/inspection.ts';
import { api } from '../api.ts';
import { BoardSession } from '../board/BoardSession.ts';
import { request } from '../signaling.ts';
import { t, timeOfDay } from '../i18n.ts';
import { clockOf, fill } from '../research/format.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';
import { Watcher } from './Watcher.ts';
import type { WatchedTrack } from './Watcher.ts';

/**
 * One lesson opened from the wall (/inspection?lesson=<id>): the teacher large with sound, the
 * classrooms beside, all received silently (the lesson does not list or count the watcher),
 * and the notes written while watching, each stamped with the lesson's clock.
 */
export function watchPage(root: HTMLElement, user: UserView, lessonId: string): void {
  const heading = h('h1', { class: 'watch-title', 'data-testid': 'watch-title' });
  const status = h(
    'p',
    { class: 'watch-state', role: 'status', 'data-testid': 'watch-state' },
    tr('wallJoining'),
  );
  const teacher = h('video', { autoplay: true, playsinline: true, 'data-testid': 'watch-teacher-video' });
  const sound = h('button', { class: 'btn btn-primary', type: 'button', hidden: true }, tr('enableSound'));
  const classrooms = h('div', { class: 'watch-classrooms', 'data-testid': 'watch-classrooms' });
  const boardBox = h('div', { class: 'watch-board', 'data-testid': 'watch-board' });
  const audio = h('div', { hidden: true });
  const notes = notesPanel(lessonId);
  mount(
    root,
    topbar('inspection', null, user.realName),
    h(
      'main',
      { class: 'watch' },
      h('a', { href: '/inspection', class: 'btn', 'data-testid': 'watch-back' }, tr('wallBack')),
      h(
        'a',
        { href: `/evaluate?lesson=${lessonId}`, class: 'btn btn-primary', 'data-testid': 'watch-evaluate' },
        tr('evalEvaluateLink'),
      ),
      heading,
      status,
      h('div', { class: 'watch-stage' }, h('div', { class: 'watch-teacher' }, teacher, sound), classrooms),
      boardBox,
      notes.el,
      audio,
    ),
  );
  void api.get<LessonSummary>(`/api/lessons/${lessonId}`).then(
    (lesson) => {
      heading.textContent = `${lesson.subject} · ${lesson.title} · ${lesson.teacherName}`;
      summary = lesson;
      if (status.dataset['state'] === 'watching') openBoard(lesson);
      notes.setLesson(lesson);
    },
    (error: unknown) => (status.textContent = error instanceof Error ? error.message : String(error)),
  );

  const watcher = new Watcher(lessonId, 'full');
  /** The lesson's board as the classrooms see it, read-only; (re)opened whenever watching (re)starts. */
  let board: BoardSession | null = null;
  const openBoard = (lesson: LessonSummary): void => {
    board ??= new BoardSession(watcher.socket, lesson, { role: 'classroom', refId: 'watcher' }, (since) =>
      request(watcher.socket, 'watch:board', { lessonId, since }),
    );
    if (!boardBox.firstChild) boardBox.append(board.view.el);
    void board.open();
  };
  let summary: LessonSummary | null = null;
  const tiles = new Map<string, HTMLElement>();
  const play = (el: HTMLMediaElement): void => {
    el.play().catch(() => (sound.hidden = false));
  };
  sound.addEventListener('click', () => {
    sound.hidden = true;
    for (const el of root.querySelectorAll<HTMLMediaElement>('video, audio')) play(el);
  });
  watcher.on('state', (s, detail) => {
    status.dataset['state'] = s;
    if (s === 'watching' && summary) openBoard(summary);
    status.replaceChildren(
      tr(s === 'watching' ? 'watchWatching' : s === 'ended' ? 'stateEnded' : 'wallJoining'),
    );
    if (detail && s !== 'watching') status.append(` (${detail})`);
  });
  watcher.on('track', (track: WatchedTrack) => {
    if (track.kind === 'audio') {
      const el = h('audio', { autoplay: true, 'data-consumer': track.consumerId });
      el.srcObject = new MediaStream([track.track]);
      audio.append(el);
      play(el);
      return;
    }
    if (track.peer?.role === 'teacher' && track.source === 'camera') {
      teacher.srcObject = new MediaStream([track.track]);
      play(teacher);
      return;
    }
    const video = h('video', { autoplay: true, muted: true, playsinline: true });
    video.srcObject = new MediaStream([track.track]);
    const tile = h(
      'figure',
      { class: 'watch-classroom', 'data-testid': 'watch-classroom', 'data-consumer': track.consumerId },
      video,
      h('figcaption', {}, track.peer?.displayName ?? (track.source === 'screen' ? t('watchScreen') : '')),
    );
    tiles.set(track.consumerId, tile);
    classrooms.append(tile);
  });
  watcher.on('trackended', ({ consumerId }) => {
    tiles.get(consumerId)?.remove();
    tiles.delete(consumerId);
    audio.querySelector(`[data-consumer="${consumerId}"]`)?.remove();
  });
  window.addEventListener('pagehide', () => {
    board?.close();
    watcher.close();
  });
}

/** The notes on the lesson (巡课记录): the list, and a box that stamps a new one with now. */
function notesPanel(lessonId: string): { el: HTMLElement; setLesson: (lesson: LessonSummary) => void } {
  const list = h('ol', { class: 'watch-notes', 'data-testid': 'note-list' });
  const text = h('textarea', {
    rows: 3,
    maxlength: 2000,
    'data-testid': 'note-text',
    placeholder: t('notePlaceholder'),
  });
  const add = h(
    'button',
    { class: 'btn btn-primary', type: 'submit', 'data-testid': 'note-add' },
    tr('noteAdd'),
  );
  const error = h('p', { class: 'watch-error', role: 'alert' });
  const path = `/api/inspection/lessons/${lessonId}/notes`;
  const show = (notes: InspectionNoteView[]): void =>
    list.replaceChildren(
      ...notes.map((n) =>
        h(
          'li',
          { 'data-testid': 'note' },
          h(
            'span',
            { class: 'watch-note-at' },
            n.offsetSeconds === null ? timeOfDay(n.at) : fill('noteAt', { clock: clockOf(n.offsetSeconds) }),
          ),
          h('span', { class: 'watch-note-author' }, n.authorName),
          h('span', { class: 'watch-note-text' }, n.text),
        ),
      ),
    );
  const reload = (): Promise<void> => api.get<InspectionNoteView[]>(path).then(show);
  const form = h(
    'form',
    {
      class: 'watch-note-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const value = text.value.trim();
        if (!value) return;
        add.disabled = true;
        api
          .post<InspectionNoteView>(path, { text: value })
          .then(() => {
            text.value = '';
            error.textContent = '';
            return reload();
          })
          .catch((e: unknown) => (error.textContent = e instanceof Error ? e.message : String(e)))
          .finally(() => (add.disabled = false));
      },
    },
    text,
    add,
  );
  const el = h('section', { class: 'watch-notes-panel' }, h('h2', {}, tr('notesTitle')), form, error, list);
  return {
    el,
    setLesson: () => void reload().catch(() => undefined),
  };
}
