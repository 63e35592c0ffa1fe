import type { SessionView, TimetableView } from '../../../../server/contract/timetable.ts';
import { dateTime } from '../../i18n.ts';
import type { GridSubject, Slot } from '../weekGrid.ts';
import { m } from './messages.ts';

/** What the editor holds: the timetable last fetched, and which hover check is the latest. */
export interface TimetableState {
  view: TimetableView | null;
  /** Increases with every hover and drop: an answer to an older check is ignored. */
  hoverSeq: number;
}

/** Where a session sits in the week. */
export const slotOf = (s: SessionView): Slot => ({ weekday: s.weekday, period: s.period });

/** The subject select's value ("school:<id>", "teacher:<id>", "class:<id>") as a grid subject. */
export function parseSubject(value: string): GridSubject {
  const [kind = 'school', id = ''] = value.split(':');
  return { kind: kind as GridSubject['kind'], id };
}

/** "2026-2027-1" → "2026–2027 学年第一学期" / "2026–2027 term 1". */
export function termName(term: string): string {
  const [a = '', b = '', n] = term.split('-');
  return m('termName', { a, b, n: n === '1' ? m('termFirst') : m('termSecond') });
}

/** The timetable's state in words: not planned, a draft of n sessions, or published when. */
export function stateText(view: TimetableView): string {
  if (view.state === 'none') return m('stateNone');
  if (view.state === 'draft') return m('stateDraft', { n: view.sessions.length });
  return m('statePublished', {
    n: view.publishedLessons,
    at: view.publishedAt ? dateTime(view.publishedAt) : '',
  });
}

/** The soft-constraint penalty with its non-zero parts ("" while nothing is placed). */
export function scoreText(view: TimetableView): string {
  if (!view.sessions.length) return '';
  const parts = Object.entries(view.soft)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k in SOFT ? m(SOFT[k as keyof typeof SOFT]) : k} ${v}`);
  return m('score', {
    score: view.score,
    parts: parts.length ? m('scoreParts', { parts: parts.join(' · ') }) : '',
  });
}

const SOFT = {
  spread: 'soft_spread',
  'same-time': 'soft_same-time',
  'edge-period': 'soft_edge-period',
  preference: 'soft_preference',
} as const;
