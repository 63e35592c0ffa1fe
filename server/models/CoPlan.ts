import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

const schoolPartSchema = new Schema(
  {
    schoolId: { type: ObjectId, required: true },
    /** pending until the school (or a manager on its behalf) decides. */
    decision: { type: String, required: true, enum: ['pending', 'approved', 'refused'], default: 'pending' },
    /** Who decided, and when. */
    by: { type: String, default: null },
    at: { type: Date, default: null },
    note: { type: String, default: '' },
    /** The approval was carried over from the plan this one re-plans (the school's part is unchanged). */
    kept: { type: Boolean, default: false },
  },
  { _id: false },
);

/**
 * The latest co-plan (课程联合编排) of a cluster's term: the planner's proposal as it came
 * (sessions, bell changes, local moves, what cannot be placed), each touched school's
 * decision on its part, the coordinator's refusals of single changes, and, once applied, what
 * was applied. A new run replaces it.
 */
export const coPlanSchema = new Schema(
  {
    clusterId: { type: ObjectId, required: true },
    term: { type: String, required: true, match: /^\d{4}-\d{4}-[12]$/ },
    /** Digest of the data the plan was made from (bells, classes, local timetables, …). */
    fingerprint: { type: String, required: true },
    /**
     * The scheduler's plan as JSON (`scheduler/coplan` Plan): its top-level sessions and changes
     * are those of the alternative `chosen`; `refused` lists the refusals it honours.
     */
    plan: { type: Schema.Types.Mixed, required: true },
    /** Which of the plan's alternatives the coordinator chose (0: the planner's best). */
    chosen: { type: Number, default: 0 },
    /** Sessions the previous solver places on the same data without any change (the "before"). */
    baselinePlaced: { type: Number, required: true },
    schools: { type: [schoolPartSchema], default: [] },
    /** Indexes into the plan's bellChanges and localChanges that the coordinator refused. */
    refusedBellChanges: { type: [Number], default: [] },
    refusedLocalChanges: { type: [Number], default: [] },
    state: { type: String, required: true, enum: ['proposed', 'applied'], default: 'proposed' },
    createdBy: { type: String, default: null },
    appliedAt: { type: Date, default: null },
    /** What applying did: sessions saved as the draft, changes applied, sessions left out. */
    applied: { type: Schema.Types.Mixed, default: null },
  },
  { timestamps: true, minimize: false },
);
coPlanSchema.index({ clusterId: 1, term: 1 }, { unique: true });

export type CoPlan = InferSchemaType<typeof coPlanSchema> & { _id: Id };
