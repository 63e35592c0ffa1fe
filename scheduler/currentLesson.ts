/** The fields of a dated lesson that decide which one a classroom or teacher sees now. */
export interface DatedLesson {
  id: string;
  /** Scheduled start and end, ms since the epoch. */
  start: number;
  end: number;
  state: 'scheduled' | 'live' | 'ended';
}

export interface CurrentLessonOptions {
  /** How early before its start a scheduled lesson is shown as current, minutes. @default 15 */
  joinEarlyMinutes?: number;
  /** How long after its scheduled end a lesson that never went live is still shown, minutes. @default 10 */
  graceAfterEndMinutes?: number;
}

/**
 * Picks the lesson to show now, and the later ones.
 *
 * A live lesson always wins (a teacher may overrun). Otherwise the scheduled lesson whose
 * window [start − joinEarly, end + grace] contains `now`, the earliest starting first.
 * Ended lessons are never current. Pure: the caller passes the clock.
 */
export function pickCurrentLesson<T extends DatedLesson>(
  lessons: readonly T[],
  now: number,
  { joinEarlyMinutes = 15, graceAfterEndMinutes = 10 }: CurrentLessonOptions = {},
): { current: T | null; upcoming: T[] } {
  const byStart = [...lessons].sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  const live = byStart.find((l) => l.state === 'live');
  const current =
    live ??
    byStart.find(
      (l) =>
        l.state === 'scheduled' &&
        now >= l.start - joinEarlyMinutes * 60_000 &&
        now <= l.end + graceAfterEndMinutes * 60_000,
    ) ??
    null;
  const upcoming = byStart.filter((l) => l !== current && l.state === 'scheduled' && l.start > now);
  return { current, upcoming };
}
