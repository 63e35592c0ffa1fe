import type { LocalLessonView } from '../../../server/contract/timetable.ts';

/** A cell of a class's week: (weekday, period). */
export interface Cell {
  weekday: number;
  period: number;
}

/** What a cell holds once set (the class and the cell say where). */
export type CellLesson = Pick<LocalLessonView, 'subject' | 'teacher' | 'locked'>;

/** The index in `draft` of the class's lesson in `cell`, or -1. */
export function lessonAt(draft: readonly LocalLessonView[], classId: string, cell: Cell): number {
  return draft.findIndex(
    (l) => l.classId === classId && l.weekday === cell.weekday && l.period === cell.period,
  );
}

/**
 * The week with the class's `cell` set to `lesson` (trimmed), or cleared when `lesson` is null.
 * Other cells and classes are untouched; the input is not mutated. A set cell keeps its place in
 * the list (the server names problems by it).
 */
export function setCell(
  draft: readonly LocalLessonView[],
  classId: string,
  cell: Cell,
  lesson: CellLesson | null,
): LocalLessonView[] {
  const i = lessonAt(draft, classId, cell);
  const next: LocalLessonView | null = lesson && {
    classId,
    weekday: cell.weekday,
    period: cell.period,
    subject: lesson.subject.trim(),
    teacher: lesson.teacher.trim(),
    locked: lesson.locked,
  };
  if (i < 0) return next ? [...draft, next] : [...draft];
  return next ? draft.map((l, k) => (k === i ? next : l)) : draft.filter((_, k) => k !== i);
}

/** A refused save's problems by the lesson they name (`lessons.<n>…`); problems of no lesson are left out. */
export function issuesByLesson(issues: readonly { path: string; message: string }[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const issue of issues) {
    const n = /^lessons\.(\d+)(\.|$)/.exec(issue.path)?.[1];
    if (n === undefined) continue;
    const i = Number(n);
    out.set(i, out.has(i) ? `${out.get(i) ?? ''}；${issue.message}` : issue.message);
  }
  return out;
}
