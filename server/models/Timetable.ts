import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema, TIME_OF_DAY } from './schema.ts';
import type { Id } from './schema.ts';

const sessionSchema = new Schema(
  {
    offeringId: { type: ObjectId, required: true },
    weekday: { type: Number, required: true, min: 1, max: 7 },
    /** The hub school's period. */
    period: { type: Number, required: true, min: 1, max: 15 },
    /** Wall-clock time of the hub period, HH:mm. */
    start: { type: String, required: true, match: TIME_OF_DAY },
    end: { type: String, required: true, match: TIME_OF_DAY },
    /** Each receiving class and the period of its own school it sits the session in. */
    receiving: {
      type: [new Schema({ classId: { type: ObjectId, required: true }, period: Number }, { _id: false })],
      default: [],
    },
    /** Kept in place when the coordinator solves again. */
    locked: { type: Boolean, default: false },
  },
  { _id: false },
);

/** A cluster's weekly joint timetable for a term: a draft being planned, or published as dated lessons. */
export const timetableSchema = new Schema(
  {
    clusterId: { type: ObjectId, required: true },
    term: { type: String, required: true, match: /^\d{4}-\d{4}-[12]$/ },
    sessions: { type: [sessionSchema], default: [] },
    /** Weighted soft penalty of the sessions (lower is better), and its parts. */
    score: { type: Number, default: 0 },
    soft: { type: Schema.Types.Mixed, default: {} },
    /** Offerings the last solve could not fully place, with the reasons. */
    unplaced: { type: Schema.Types.Mixed, default: [] },
    solvedAt: { type: Date, default: null },
    publishedAt: { type: Date, default: null },
    /** Dated lessons the last publication created. */
    publishedLessons: { type: Number, default: 0 },
    /** Changes of the sessions since they were last published. */
    dirty: { type: Boolean, default: true },
  },
  { timestamps: true, minimize: false },
);
timetableSchema.index({ clusterId: 1, term: 1 }, { unique: true });

export type Timetable = InferSchemaType<typeof timetableSchema> & { _id: Id };
export type TimetableSession = Timetable['sessions'][number];
