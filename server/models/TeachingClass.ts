import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema, busyPeriods } from './schema.ts';
import type { Id } from './schema.ts';

/** A class of pupils (教学班) of a school. */
export const teachingClassSchema = new Schema(
  {
    schoolId: { type: ObjectId, required: true },
    grade: { type: Number, required: true, min: 1, max: 12 },
    name: { type: String, required: true, trim: true },
    size: { type: Number, required: true, min: 1, max: 200 },
    /** The receiving classroom the class sits in for synchronized lessons. */
    classroomId: { type: ObjectId, default: null },
    /** Local timetable: periods not free for synchronized lessons. */
    busy: busyPeriods,
  },
  { timestamps: true },
);
teachingClassSchema.index({ schoolId: 1, grade: 1, name: 1 }, { unique: true });

export type TeachingClass = InferSchemaType<typeof teachingClassSchema> & { _id: Id };
