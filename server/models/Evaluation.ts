import type { InferSchemaType } from 'mongoose';
import { ObjectId, REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

const scoreSchema = new Schema(
  {
    key: { type: String, required: true },
    /** 1…the rubric's levels. */
    score: { type: Number, required: true, min: 1, max: 10 },
  },
  { _id: false },
);

/** A comment at a moment of the lesson, seconds from its live start (jumps there in the player). */
const commentSchema = new Schema(
  {
    atSeconds: { type: Number, required: true, min: 0 },
    text: { type: String, required: true, trim: true },
  },
  { _id: false },
);

/**
 * One evaluator's evaluation of one lesson (听课评课), live or on its recording. Copies the
 * lesson's teacher, cluster and region so that the aggregation needs no joins. `invited`: a
 * teacher asked to evaluate, who has not started.
 */
export const evaluationSchema = new Schema(
  {
    lessonId: { type: ObjectId, required: true },
    rubricId: { type: ObjectId, required: true },
    evaluatorId: { type: ObjectId, required: true },
    teacherId: { type: ObjectId, required: true },
    clusterId: { type: ObjectId, required: true },
    /** The cluster's organizing region. */
    regionCode: { type: String, required: true, match: REGION_CODE },
    mode: { type: String, required: true, enum: ['live', 'recording'] },
    state: { type: String, required: true, enum: ['invited', 'draft', 'submitted'] },
    scores: { type: [scoreSchema], default: [] },
    comments: { type: [commentSchema], default: [] },
    summary: { type: String, default: '' },
    /** Weighted total 0–100 (Σ weight × score / levels), set when every item is scored. */
    total: { type: Number, default: null },
    submittedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
evaluationSchema.index({ lessonId: 1, evaluatorId: 1 }, { unique: true });
evaluationSchema.index({ teacherId: 1 });
evaluationSchema.index({ regionCode: 1 });

export type Evaluation = InferSchemaType<typeof evaluationSchema> & { _id: Id };
