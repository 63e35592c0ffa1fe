import type { LessonSummary, UserView } from '../../../server/contract/api.ts';
import type { RecordingView } from '../../../server/contract/library.ts';
import type { EvaluationView, RubricItem } from '../../../server/contract/research.ts';
import { api } from '../api.ts';
import type { Row } from '../api.ts';
import { t } from '../i18n.ts';
import { recordingPlayer } from '../library/player.ts';
import { clockOf, fill, playerAt } from '../research/format.ts';
import '../research/research.css';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';

/** Who may invite a teacher to evaluate a lesson. */
const INVITERS = ['admin', 'bureau', 'coordinator'];

/** Invites a teacher (from the caller's scope, not the lesson's own) to evaluate the lesson. */
function inviteForm(lessonId: string, rubricId: () => string | null): HTMLElement {
  const select = h('select', { 'aria-label': t('evalInvite'), 'data-testid': 'eval-invite-teacher' });
  const status = h('span', { class: 'rs-meta', role: 'status' });
  api.list('users', { role: 'teacher', pageSize: 200 }).then(
    (page) =>
      select.replaceChildren(
        ...page.items.map((u) => h('option', { value: u.id }, String(u['realName'] as string))),
      ),
    () => undefined,
  );
  const invite = (): void => {
    const rubric = rubricId();
    if (!rubric || !select.value) return;
    api
      .post(`/api/lessons/${encodeURIComponent(lessonId)}/evaluation-invites`, {
        rubricId: rubric,
        teacherId: select.value,
      })
      .then(
        () => (status.textContent = t('evalSaved')),
        (error: Error) => (status.textContent = error.message),
      );
  };
  return h(
    'div',
    { class: 'rs-row' },
    h('label', {}, tr('evalInvite'), select),
    h(
      'button',
      { class: 'btn', type: 'button', 'data-testid': 'eval-invite', onclick: invite },
      tr('evalInvite'),
    ),
    status,
  );
}

interface RubricRow {
  id: string;
  name: string;
  levels: number;
  items: RubricItem[];
}

/** What the evaluator is filling in. */
interface Draft {
  rubric: RubricRow | null;
  scores: Map<string, number>;
  comments: { atSeconds: number; text: string }[];
  summary: string;
  saved: EvaluationView | null;
}

/**
 * 听课评课 (/evaluate?lesson=<id>): an evaluator scores a lesson against a rubric of its
 * region, live (comments stamped with the lesson's clock) or on its recording (the player
 * beside the form; comments stamped with the video's moment, and each comment jumps there),
 * saves drafts and submits; the lesson's teacher then sees it under /evaluations.
 */
export function evaluatePage(root: HTMLElement, user: UserView): void {
  const lessonId = new URLSearchParams(location.search).get('lesson') ?? '';
  const body = h('main', { class: 'research', 'data-testid': 'evaluate-page' });
  mount(root, topbar('evalTitle', null, user.realName), body);
  void load(lessonId).then(
    (loaded) => render(body, lessonId, loaded, INVITERS.includes(user.role)),
    (error: Error) => body.replaceChildren(h('p', { role: 'status' }, error.message)),
  );
}

async function load(lessonId: string): Promise<{
  lesson: LessonSummary | null;
  rubrics: RubricRow[];
  mine: EvaluationView | null;
  recording: RecordingView | null;
}> {
  const [lesson, rubrics, mine, recording] = await Promise.all([
    api.lesson(lessonId).catch(() => null),
    api
      .list('rubrics', { active: 'true', pageSize: 200 })
      .then((p) => p.items as unknown as (Row & RubricRow)[]),
    api.get<EvaluationView[]>(`/api/evaluations?lessonId=${encodeURIComponent(lessonId)}&mine=1`),
    api.get<RecordingView>(`/api/library/recordings/${encodeURIComponent(lessonId)}`).catch(() => null),
  ]);
  return { lesson, rubrics, mine: mine[0] ?? null, recording };
}

function render(
  body: HTMLElement,
  lessonId: string,
  { lesson, rubrics, mine, recording }: Awaited<ReturnType<typeof load>>,
  canInvite: boolean,
): void {
  const live = lesson ? lesson.state === 'live' : mine?.mode === 'live';
  const draft: Draft = {
    rubric: mine ? mine.rubric : (rubrics[0] ?? null),
    scores: new Map(mine?.scores.map((s) => [s.key, s.score])),
    comments: [...(mine?.comments ?? [])],
    summary: mine?.summary ?? '',
    saved: mine,
  };
  // The form below lists the evaluator's comments (each seeking the video), so the player does not.
  const player =
    recording?.state === 'ready' && !live ? recordingPlayer(recording, { comments: false }) : null;
  const video = player?.querySelector('video') ?? null;
  const startedAt = lesson?.startedAt ?? mine?.lessonStart ?? null;
  /** Seconds into the lesson now: its live clock, or the recording's playing moment. */
  const moment = (): number =>
    video ? video.currentTime : startedAt ? Math.max(0, (Date.now() - Date.parse(startedAt)) / 1000) : 0;

  const status = h('p', { class: 'rs-meta', role: 'status', 'data-testid': 'eval-status' });
  const total = h('span', { class: 'rs-total', 'data-testid': 'eval-total' });
  const items = h('div', { class: 'research-items' });
  const commentList = h('ol', { class: 'rs-comments', 'data-testid': 'eval-comments' });
  const commentInput = h('textarea', {
    rows: 2,
    'data-testid': 'eval-comment-input',
    'aria-label': t('evalComment'),
  });
  const summaryInput = h('textarea', {
    rows: 3,
    'data-testid': 'eval-summary',
    'aria-label': t('evalSummaryText'),
  });
  summaryInput.value = draft.summary;
  summaryInput.addEventListener('input', () => (draft.summary = summaryInput.value));

  const renderTotal = (): void => {
    const saved = draft.saved;
    total.textContent =
      saved?.total !== null && saved?.total !== undefined ? `${t('evalTotal')} ${saved.total}` : '';
    status.textContent = saved ? t(saved.state === 'submitted' ? 'evalSubmitted' : 'evalSaved') : '';
  };
  const renderItems = (): void => {
    const rubric = draft.rubric;
    if (!rubric) {
      items.replaceChildren(h('p', {}, tr('evalNoRubric')));
      return;
    }
    items.replaceChildren(
      ...rubric.items.map((item) =>
        h(
          'section',
          { class: 'rs-card', 'data-testid': 'eval-item', 'data-key': item.key },
          h(
            'div',
            { class: 'rs-row' },
            h('strong', {}, item.name),
            h('span', { class: 'rs-meta' }, fill('evalWeight', { n: item.weight })),
          ),
          h(
            'div',
            { class: 'rs-levels' },
            ...Array.from({ length: rubric.levels }, (_, i) => {
              const level = i + 1;
              return h(
                'button',
                {
                  class: 'btn rs-level',
                  type: 'button',
                  'aria-pressed': String(draft.scores.get(item.key) === level),
                  'data-testid': 'eval-level',
                  'data-level': level,
                  onclick: () => {
                    draft.scores.set(item.key, level);
                    renderItems();
                  },
                },
                h('strong', {}, String(level)),
                item.descriptors[i] ? ` ${item.descriptors[i]}` : '',
              );
            }),
          ),
        ),
      ),
    );
  };
  const renderComments = (): void =>
    commentList.replaceChildren(
      ...draft.comments.map((c) =>
        h(
          'li',
          {},
          video
            ? h(
                'button',
                {
                  class: 'btn btn-ghost rs-time',
                  type: 'button',
                  onclick: () => (video.currentTime = c.atSeconds),
                },
                clockOf(c.atSeconds),
              )
            : h(
                'a',
                { class: 'btn btn-ghost rs-time', href: playerAt(lessonId, c.atSeconds) },
                clockOf(c.atSeconds),
              ),
          h('span', {}, c.text),
        ),
      ),
    );

  const rubricSelect = h(
    'select',
    {
      'aria-label': t('evalRubric'),
      disabled: !!mine,
      onchange: () => {
        draft.rubric = rubrics.find((r) => r.id === rubricSelect.value) ?? null;
        draft.scores.clear();
        renderItems();
      },
    },
    ...(mine ? [mine.rubric] : rubrics).map((r) => h('option', { value: r.id }, r.name)),
  );

  const save = (submit: boolean): void => {
    if (!draft.rubric) return;
    const scores = [...draft.scores].map(([key, score]) => ({ key, score }));
    const payload = { scores, comments: draft.comments, summary: draft.summary, submit };
    const request = draft.saved
      ? api.put<EvaluationView>(`/api/evaluations/${draft.saved.id}`, payload)
      : api.post<EvaluationView>('/api/evaluations', {
          ...payload,
          lessonId,
          rubricId: draft.rubric.id,
          mode: live ? 'live' : 'recording',
        });
    status.textContent = '…';
    request.then(
      (saved) => {
        draft.saved = saved;
        rubricSelect.disabled = true;
        renderTotal();
      },
      (error: Error) => (status.textContent = error.message),
    );
  };

  mount(
    body,
    h(
      'header',
      { class: 'rs-card' },
      h(
        'div',
        { class: 'rs-row' },
        h('a', { class: 'btn btn-ghost', href: '/evaluations' }, tr('evalBack')),
        h('h1', {}, lesson?.title ?? mine?.lessonTitle ?? ''),
      ),
      h(
        'p',
        { class: 'rs-meta' },
        [
          lesson?.teacherName ?? mine?.teacher.name,
          lesson?.clusterName,
          t(live ? 'evalLive' : 'evalRecording'),
        ]
          .filter(Boolean)
          .join(' · '),
      ),
      h('label', {}, tr('evalRubric'), rubricSelect),
      canInvite ? inviteForm(lessonId, () => draft.rubric?.id ?? null) : null,
    ),
    player,
    items,
    h(
      'section',
      { class: 'rs-card' },
      h('h2', {}, tr('evalComment')),
      commentList,
      commentInput,
      h(
        'button',
        {
          class: 'btn',
          type: 'button',
          'data-testid': 'eval-add-comment',
          onclick: () => {
            const text = commentInput.value.trim();
            if (!text) return;
            draft.comments.push({ atSeconds: Math.floor(moment()), text });
            commentInput.value = '';
            renderComments();
          },
        },
        tr('evalAddComment'),
      ),
      h('label', {}, tr('evalSummaryText'), summaryInput),
    ),
    h(
      'div',
      { class: 'rs-row' },
      h(
        'button',
        {
          class: 'btn btn-ghost btn-lg',
          type: 'button',
          'data-testid': 'eval-save',
          onclick: () => save(false),
        },
        tr('evalSaveDraft'),
      ),
      h(
        'button',
        {
          class: 'btn btn-primary btn-lg',
          type: 'button',
          'data-testid': 'eval-submit',
          onclick: () => save(true),
        },
        tr('evalSubmit'),
      ),
      total,
      status,
    ),
  );
  renderItems();
  renderComments();
  renderTotal();
}
