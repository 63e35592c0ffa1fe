import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

const localLessonSchema = new Schema(
  {
    /** A class of the school. */
    classId: { type: ObjectId, required: true },
    weekday: { type: Number, required: true, min: 1, max: 7 },
    /** A period of the school's own bells. */
    period: { type: Number, required: true, min: 1, max: 15 },
    /** "英语", "语文", "升旗", "班会", … */
    subject: { type: String, required: true, trim: true },
    /** The local teacher's name (local teachers need no account); empty for a whole-school event. */
    teacher: { type: String, default: '', trim: true },
    /** Fixed by the school (升旗, 班会): the co-plan never moves or replaces it. */
    locked: { type: Boolean, default: false },
  },
  { _id: false },
);

/**
 * A school's own (local) weekly timetable for a term: every lesson of its classes, per class,
 * weekday and period of its bells. For the joint timetable, a receiving class of a school with
 * one is busy exactly in its lessons here (its `busy` periods are not read), and the co-plan
 * may move the lessons that are not locked.
 */
export const localTimetableSchema = new Schema(
  {
    schoolId: { type: ObjectId, required: true },
    term: { type: String, required: true, match: /^\d{4}-\d{4}-[12]$/ },
    lessons: { type: [localLessonSchema], default: [] },
    /** Raised on every change, so that a co-plan made from an older version is refused. */
    revision: { type: Number, default: 0 },
  },
  { timestamps: true },
);
localTimetableSchema.index({ schoolId: 1, term: 1 }, { unique: true });

export type LocalTimetable = InferSchemaType<typeof localTimetableSchema> & { _id: Id };
export type LocalTimetableLesson = LocalTimetable['lessons'][number];
