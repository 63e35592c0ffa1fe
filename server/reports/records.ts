import type { Lesson, LessonEvent, Models } from '../models/index.ts';

/** A classroom's part in a lesson, from the lesson's event record. */
export interface ClassroomRecord {
  classroomId: string;
  /** Connection intervals, ms since the epoch; `leave` null while still joined. */
  intervals: { join: number; leave: number | null }[];
  /** Last head count entered on the kiosk, if any. */
  headcount: number | null;
}

/** What a lesson's record says happened, in the shape the delivery rules judge. */
export interface LessonRecord {
  lessonId: string;
  scheduledStart: number;
  scheduledEnd: number;
  state: Lesson['state'];
  liveStart: number | null;
  liveEnd: number | null;
  classrooms: ClassroomRecord[];
}

/**
 * Folds a lesson's events into connection intervals per receiving classroom. A classroom
 * that reconnects joins again before its old connection's leave arrives, so joins and
 * leaves are counted: it is connected while more joins than leaves have been seen.
 */
export function recordOf(lesson: Lesson, events: readonly LessonEvent[]): LessonRecord {
  const byRoom = new Map<string, ClassroomRecord & { open: number }>(
    lesson.classroomIds.map((id) => [
      id.toString(),
      { classroomId: id.toString(), intervals: [], headcount: null, open: 0 },
    ]),
  );
  for (const e of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const room = e.role === 'classroom' && e.refId ? byRoom.get(e.refId) : undefined;
    if (!room) continue;
    if (e.kind === 'join' && room.open++ === 0) room.intervals.push({ join: e.at.getTime(), leave: null });
    if (e.kind === 'leave' && room.open > 0 && --room.open === 0) {
      const last = room.intervals.at(-1);
      if (last) last.leave = e.at.getTime();
    }
    if (e.kind === 'headcount' && e.count !== null && e.count !== undefined) room.headcount = e.count;
  }
  return {
    lessonId: lesson._id.toString(),
    scheduledStart: lesson.scheduledStart.getTime(),
    scheduledEnd: lesson.scheduledEnd.getTime(),
    state: lesson.state,
    liveStart: lesson.startedAt?.getTime() ?? null,
    liveEnd: lesson.endedAt?.getTime() ?? null,
    classrooms: [...byRoom.values()].map(({ open: _open, ...room }) => room),
  };
}

/** Reads the records of the given lessons (two queries, however many lessons). */
export async function loadRecords(models: Models, lessons: readonly Lesson[]): Promise<LessonRecord[]> {
  // An empty $in still reads every event on FerretDB, which pushes no filter down.
  if (lessons.length === 0) return [];
  const events = await models.LessonEvent.find({ lessonId: { $in: lessons.map((l) => l._id) } }).lean<
    LessonEvent[]
  >();
  const byLesson = new Map<string, LessonEvent[]>();
  for (const e of events) {
    const key = e.lessonId.toString();
    byLesson.set(key, [...(byLesson.get(key) ?? []), e]);
  }
  return lessons.map((l) => recordOf(l, byLesson.get(l._id.toString()) ?? []));
}
