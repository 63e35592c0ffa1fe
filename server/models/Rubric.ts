import type { InferSchemaType } from 'mongoose';
import { REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** One item of a rubric (教学设计, 课堂互动, …): its weight and what each level means. */
const rubricItemSchema = new Schema(
  {
    /** Stable key the scores refer to, e.g. "design". */
    key: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    /** Share of the total, in points; a rubric's weights sum to 100. */
    weight: { type: Number, required: true, min: 1, max: 100 },
    /** What each level means, lowest first (one per level of the rubric's scale). */
    descriptors: { type: [String], default: [] },
  },
  { _id: false },
);

/**
 * A lesson-evaluation rubric (听课评课量表) a region configures: items with weights and
 * descriptors, scored 1…`levels` each. Bureaus of the region and below use it.
 */
export const rubricSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    /** The region it belongs to (province, city or county code). */
    regionCode: { type: String, required: true, match: REGION_CODE },
    /** Levels of every item (e.g. 4: 待改进 / 合格 / 良好 / 优秀). */
    levels: { type: Number, required: true, min: 2, max: 10 },
    items: { type: [rubricItemSchema], required: true },
    /** Offered to evaluators (an older rubric is kept for the evaluations made with it). */
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
rubricSchema.index({ regionCode: 1, name: 1 }, { unique: true });

export type Rubric = InferSchemaType<typeof rubricSchema> & { _id: Id };
