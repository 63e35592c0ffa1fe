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
  options: CurrentLessonOptions = {},
): { current: T | null; upcoming: T[] } {
  const { joinEarlyMinutes, graceAfterEndMinutes } = withDefaults(options);
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

function withDefaults(options: CurrentLessonOptions): Required<CurrentLessonOptions> {
  return { joinEarlyMinutes: 15, graceAfterEndMinutes: 10, ...options };
}

/**
 * When `pickCurrentLesson` may answer differently by the clock alone (ms since the epoch), or
 * null: the first edge after `now` of a scheduled lesson's window (its start − joinEarly opens
 * it, its end + grace closes it). Changes of the lessons themselves (a start, an end, a new
 * timetable) are not the clock's: their callers are told of them.
 */
export function nextCurrentChange(
  lessons: readonly DatedLesson[],
  now: number,
  options: CurrentLessonOptions = {},
): number | null {
  const { joinEarlyMinutes, graceAfterEndMinutes } = withDefaults(options);
  const edges = lessons
    .filter((l) => l.state === 'scheduled')
    .flatMap((l) => [l.start - joinEarlyMinutes * 60_000, l.end + graceAfterEndMinutes * 60_000 + 1])
    .filter((at) => at > now);
  return edges.length ? Math.min(...edges) : null;
}
