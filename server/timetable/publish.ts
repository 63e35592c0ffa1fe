import mongoose from 'mongoose';
import { expandTerm } from '../../scheduler/index.ts';
import { text } from '../../scheduler/text.ts';
import { ValidationError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import type { LoadedProblem } from './problem.ts';
import { calendarInput, offeringName, toSession } from './problem.ts';

/**
 * Turns the cluster's weekly timetable into dated lessons over the term (holidays skipped,
 * make-up days following their weekday), from `now` on. Lessons already past, live or
 * ended stay; future scheduled lessons of the term's offerings are replaced. New lessons are
 * written before the old ones go, and removed again if writing fails, so a failed
 * publication loses nothing.
 *
 * @throws ValidationError without a term calendar or with nothing to publish
 */
export async function publishTimetable(models: Models, loaded: LoadedProblem, now: number): Promise<number> {
  const { calendar, timetable, offerings, classes } = loaded;
  if (!calendar)
    throw new ValidationError(
      text(
        `没有 ${loaded.term} 学期的校历，请先在“校历”中添加`,
        `there is no term calendar for ${loaded.term} in region ${loaded.hubSchool.regionCode}; add one under Calendars first`,
      ),
    );
  if (!timetable?.sessions.length)
    throw new ValidationError(text('课表为空，请先排课', 'the timetable has no sessions; solve it first'));
  const offeringById = new Map(offerings.map((o) => [o._id.toString(), o]));
  const classroomOf = new Map(classes.map((c) => [c._id.toString(), c.classroomId]));
  const dated = expandTerm(timetable.sessions.map(toSession), calendarInput(calendar)).filter(
    (d) => d.start >= now,
  );
  const lessons = dated.flatMap(({ session, start, end }) => {
    const offering = offeringById.get(session.offeringId);
    if (!offering) return [];
    const classroomIds = [
      ...new Set(session.receiving.flatMap((r) => classroomOf.get(r.classId) ?? []).map(String)),
    ].map((id) => new mongoose.Types.ObjectId(id));
    return [
      {
        _id: new mongoose.Types.ObjectId(),
        clusterId: loaded.cluster._id,
        offeringId: offering._id,
        title: offeringName(offering).zh,
        subject: offering.subject,
        grade: offering.grade,
        teacherId: offering.teacherId,
        hubClassroomId: offering.hubClassroomId,
        classroomIds,
        scheduledStart: new Date(start),
        scheduledEnd: new Date(end),
        state: 'scheduled' as const,
      },
    ];
  });
  const replaced = await models.Lesson.find(
    {
      clusterId: loaded.cluster._id,
      offeringId: { $in: offerings.map((o) => o._id) },
      state: 'scheduled',
      scheduledStart: { $gte: new Date(now) },
    },
    { _id: 1 },
  ).lean();
  try {
    if (lessons.length) await models.Lesson.insertMany(lessons);
  } catch (error) {
    await models.Lesson.deleteMany({ _id: { $in: lessons.map((l) => l._id) } });
    throw error;
  }
  await models.Lesson.deleteMany({ _id: { $in: replaced.map((l) => l._id) } });
  await models.Timetable.updateOne(
    { _id: timetable._id },
    { $set: { publishedAt: new Date(now), publishedLessons: lessons.length, dirty: false } },
  );
  return lessons.length;
}
