import type {
  CheckResponse,
  SessionView,
  SolveJobView,
  TimetableView,
} from '../../../server/contract/timetable.ts';
import { api } from '../api.ts';
import { lang, zhEn } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { saveDownload } from '../ui/download.ts';
import { CoPlanSection } from './coplan.ts';
import { WeekGrid } from './weekGrid.ts';
import type { GridSubject, Slot } from './weekGrid.ts';

const SOFT_NAMES: Record<string, [string, string]> = {
  spread: ['分散', 'spread'],
  'same-time': ['同一时间', 'same time'],
  'edge-period': ['首末节', 'first/last period'],
  preference: ['教师意愿', 'preferences'],
};

/**
 * The coordinator's timetable editor: solve with a progress bar, the week grid per school,
 * teacher or class, drag a session (conflicts checked as it hovers), lock, publish, export,
 * subscribe.
 */
export async function timetablePanel(): Promise<HTMLElement> {
  const clusters = await api.list('clusters', { pageSize: 200 });
  const clusterSelect = h(
    'select',
    { 'data-testid': 'tt-cluster' },
    ...clusters.items.map((c) => h('option', { value: c.id }, String(c['name']))),
  );
  const termSelect = h('select', { 'data-testid': 'tt-term' });
  const subjectSelect = h('select', { 'data-testid': 'tt-subject' });
  const status = h('div', { class: 'tt-status', 'data-testid': 'tt-state', role: 'status' });
  const message = h('p', { class: 'tt-message', 'data-testid': 'tt-message', role: 'alert' });
  const progress = h('progress', { 'data-testid': 'tt-progress', max: 1, value: 0, hidden: true });
  const conflicts = h('div', { class: 'tt-conflicts', 'data-testid': 'tt-conflicts' });
  const unplaced = h('div', { class: 'tt-unplaced', 'data-testid': 'tt-unplaced' });
  const score = h('p', { class: 'hint' });
  let view: TimetableView | null = null;
  let hoverSeq = 0;

  const base = (): string => `/api/timetables/${clusterSelect.value}/${termSelect.value}`;
  const say = (text: string, bad = false): void => {
    message.textContent = text;
    message.classList.toggle('form-error', bad);
  };
  const fail = (error: unknown): void => say(error instanceof Error ? error.message : String(error), true);

  const grid = new WeekGrid({
    hover: (session, to) => {
      const seq = ++hoverSeq;
      if (!to) return mount(conflicts);
      grid.markDrop('checking');
      api
        .post<CheckResponse>(`${base()}/check`, { offeringId: session.offeringId, from: slotOf(session), to })
        .then((res) => {
          if (seq !== hoverSeq) return;
          grid.markDrop(res.conflicts.length ? 'conflict' : 'ok');
          showConflicts(res.conflicts.map((c) => c.message));
        }, fail);
    },
    drop: (session, to) => {
      hoverSeq++;
      api
        .post<TimetableView>(`${base()}/edit`, { offeringId: session.offeringId, from: slotOf(session), to })
        .then(
          (next) => {
            say(zhEn('已调整。', 'Moved.'));
            mount(conflicts);
            show(next);
          },
          (error: unknown) => {
            fail(error);
            mount(conflicts);
          },
        );
    },
    lock: (session) => {
      api
        .post<TimetableView>(`${base()}/lock`, {
          offeringId: session.offeringId,
          ...slotOf(session),
          locked: !session.locked,
        })
        .then(show, fail);
    },
  });

  const showConflicts = (messages: string[]): void =>
    mount(
      conflicts,
      messages.length
        ? h('ul', { class: 'form-error' }, ...messages.map((m) => h('li', {}, m)))
        : h('p', { class: 'ok' }, zhEn('可以放在这里', 'Fits here')),
    );

  const subject = (): GridSubject => {
    const [kind = 'school', id = ''] = subjectSelect.value.split(':');
    return { kind: kind as GridSubject['kind'], id };
  };

  const show = (next: TimetableView): void => {
    view = next;
    const chosen = subjectSelect.value;
    mount(
      subjectSelect,
      h(
        'optgroup',
        { label: zhEn('学校', 'Schools') },
        ...next.schools.map((s) =>
          h('option', { value: `school:${s.id}` }, `${s.name}${s.hub ? zhEn('（主讲）', ' (hub)') : ''}`),
        ),
      ),
      h(
        'optgroup',
        { label: zhEn('主讲教师', 'Hub teachers') },
        ...next.teachers.map((t) => h('option', { value: `teacher:${t.id}` }, t.name)),
      ),
      h(
        'optgroup',
        { label: zhEn('教学班', 'Classes') },
        ...next.classes.map((c) =>
          h(
            'option',
            { value: `class:${c.id}` },
            `${next.schools.find((s) => s.id === c.schoolId)?.name ?? ''} ${c.name}`,
          ),
        ),
      ),
    );
    subjectSelect.value =
      chosen && [...subjectSelect.options].some((o) => o.value === chosen)
        ? chosen
        : `school:${next.hubSchoolId}`;
    status.dataset['state'] = next.state;
    status.textContent =
      next.state === 'none'
        ? zhEn('尚未排课', 'Not planned yet')
        : next.state === 'draft'
          ? zhEn(
              `草稿：${next.sessions.length} 节/周，未发布`,
              `Draft: ${next.sessions.length} sessions a week, not published`,
            )
          : zhEn(
              `已发布：${next.publishedLessons} 节课（${new Date(next.publishedAt ?? '').toLocaleString('zh-CN')}）`,
              `Published: ${next.publishedLessons} lessons (${new Date(next.publishedAt ?? '').toLocaleString('en-GB')})`,
            );
    const parts = Object.entries(next.soft)
      .filter(([, v]) => v)
      .map(([k, v]) => `${lang() === 'en' ? (SOFT_NAMES[k]?.[1] ?? k) : (SOFT_NAMES[k]?.[0] ?? k)} ${v}`);
    score.textContent = next.sessions.length
      ? zhEn(
          `软约束扣分 ${next.score}${parts.length ? `（${parts.join(' · ')}）` : ''}，越低越好`,
          `Soft penalty ${next.score}${parts.length ? ` (${parts.join(' · ')})` : ''}; lower is better`,
        )
      : '';
    const offeringName = (id: string): string => next.offerings.find((o) => o.id === id)?.name ?? id;
    mount(
      unplaced,
      next.unplaced.length
        ? h(
            'div',
            { class: 'panel-note' },
            h('h3', {}, zhEn('未排入的课', 'Not placed')),
            h(
              'ul',
              {},
              ...next.unplaced.map((u) =>
                h(
                  'li',
                  {},
                  h(
                    'strong',
                    {},
                    `${offeringName(u.offeringId)}：${zhEn(`缺 ${u.missing} 节`, `${u.missing} missing`)}`,
                  ),
                  ...u.reasons.slice(0, 3).map((r) => h('div', { class: 'hint' }, r.message)),
                ),
              ),
            ),
          )
        : null,
    );
    grid.render(next, subject());
  };

  const load = async (): Promise<void> => {
    if (!clusterSelect.value || !termSelect.value) return;
    try {
      show(await api.get<TimetableView>(base()));
    } catch (error) {
      fail(error);
    }
    await coplan.load();
  };
  // The co-plan with the receiving schools sits below the grid; applying it reloads the week.
  const coplan = new CoPlanSection(
    () =>
      clusterSelect.value && termSelect.value
        ? { clusterId: clusterSelect.value, term: termSelect.value }
        : null,
    () => load(),
  );

  const fillTerms = (): void => {
    const cluster = clusters.items.find((c) => c.id === clusterSelect.value);
    const terms = (cluster?.['activeTerms'] as string[] | undefined) ?? [];
    mount(termSelect, ...terms.map((t) => h('option', { value: t }, termName(t))));
  };

  const solve = async (): Promise<void> => {
    say(zhEn('正在排课…', 'Solving…'));
    progress.hidden = false;
    progress.value = 0;
    try {
      let job = await api.post<SolveJobView>(`${base()}/solve`, { timeLimitMs: 3000 });
      while (job.state === 'running') {
        progress.value = job.fraction;
        await new Promise((r) => setTimeout(r, 250));
        job = await api.get<SolveJobView>(`/api/solve-jobs/${job.id}`);
      }
      if (job.state === 'failed') throw new Error(job.error ?? 'solve failed');
      progress.value = 1;
      say(
        zhEn(
          `排课完成：已排 ${job.placed}/${job.wanted} 节。`,
          `Solved: ${job.placed} of ${job.wanted} sessions placed.`,
        ),
      );
      await load();
    } catch (error) {
      fail(error);
    } finally {
      progress.hidden = true;
    }
  };

  const publish = async (): Promise<void> => {
    try {
      const { lessons } = await api.post<{ lessons: number }>(`${base()}/publish`);
      say(
        zhEn(
          `已发布 ${lessons} 节课，教师工作台和教室终端会按课表显示。`,
          `Published ${lessons} lessons; studios and classroom kiosks follow them.`,
        ),
      );
      await load();
    } catch (error) {
      fail(error);
    }
  };

  const subscribe = async (): Promise<void> => {
    try {
      const feed = await api.post<{ url: string }>('/api/calendar-feeds', {
        kind: 'cluster',
        subjectId: clusterSelect.value,
      });
      const url = `${location.origin}${feed.url}`;
      mount(
        message,
        zhEn('日历订阅地址（可加入手机或电脑日历）：', 'Calendar feed (add it to any calendar app):'),
        h('input', {
          class: 'feed-url',
          readonly: true,
          value: url,
          'data-testid': 'tt-feed-url',
          onfocus: (e: Event) => (e.target as HTMLInputElement).select(),
        }),
      );
      message.classList.remove('form-error');
    } catch (error) {
      fail(error);
    }
  };

  clusterSelect.addEventListener('change', () => {
    fillTerms();
    void load();
  });
  termSelect.addEventListener('change', () => void load());
  subjectSelect.addEventListener('change', () => view && grid.render(view, subject()));
  fillTerms();
  await load();

  return h(
    'section',
    { class: 'panel timetable' },
    h('div', { class: 'panel-head' }, h('h2', {}, zhEn('联合排课', 'Joint timetable')), status),
    h(
      'div',
      { class: 'import-form' },
      h('label', { class: 'field' }, h('span', {}, zhEn('联校群', 'Cluster')), clusterSelect),
      h('label', { class: 'field' }, h('span', {}, zhEn('学期', 'Term')), termSelect),
      h('label', { class: 'field' }, h('span', {}, zhEn('查看', 'Show')), subjectSelect),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { class: 'btn btn-primary', type: 'button', 'data-testid': 'tt-solve', onclick: () => void solve() },
        zhEn('自动排课', 'Solve'),
      ),
      h(
        'button',
        {
          class: 'btn btn-primary',
          type: 'button',
          'data-testid': 'tt-publish',
          onclick: () => void publish(),
        },
        zhEn('发布课表', 'Publish'),
      ),
      h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          onclick: () => void saveDownload(`${base()}/export`, 'timetable.xlsx').catch(fail),
        },
        zhEn('导出 Excel', 'Export Excel'),
      ),
      h(
        'button',
        { class: 'btn btn-ghost', type: 'button', onclick: () => void subscribe() },
        zhEn('订阅日历', 'Calendar feed'),
      ),
    ),
    progress,
    message,
    score,
    h(
      'p',
      { class: 'hint' },
      zhEn(
        '拖动课程到其他节次即可调整，悬停时会检查冲突；“锁定”的课在重新排课时保持不动。',
        'Drag a session to another period; conflicts are checked as you hover. Locked sessions stay put when you solve again.',
      ),
    ),
    h('div', { class: 'tt-layout' }, grid.el, h('aside', {}, conflicts, unplaced)),
    coplan.el,
  );
}

const slotOf = (s: SessionView): Slot => ({ weekday: s.weekday, period: s.period });

/** "2026-2027-1" → "2026–2027 学年第一学期". */
function termName(term: string): string {
  const [a, b, n] = term.split('-');
  return lang() === 'en' ? `${a}–${b} term ${n}` : `${a}–${b} 学年第${n === '1' ? '一' : '二'}学期`;
}
