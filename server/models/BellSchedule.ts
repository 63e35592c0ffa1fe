import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema, TIME_OF_DAY } from './schema.ts';
import type { Id } from './schema.ts';

const periodSchema = new Schema(
  {
    period: { type: Number, required: true, min: 1, max: 15 },
    start: { type: String, required: true, match: TIME_OF_DAY },
    end: { type: String, required: true, match: TIME_OF_DAY },
    /** ISO weekdays the period rings on: 1 = Monday … 7 = Sunday. */
    weekdays: { type: [Number], required: true },
  },
  { _id: false },
);

/** A school's periods per weekday (作息时间表); schools in one cluster may differ. */
export const bellScheduleSchema = new Schema(
  {
    schoolId: { type: ObjectId, required: true, unique: true },
    name: { type: String, required: true, trim: true },
    periods: { type: [periodSchema], required: true },
  },
  { timestamps: true },
);

export type BellSchedule = InferSchemaType<typeof bellScheduleSchema> & { _id: Id };
