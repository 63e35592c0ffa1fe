import type { InferSchemaType } from 'mongoose';
import { ObjectId, REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A region's rule for 巡课: whether the classrooms and the teacher of a lesson see 巡课中 while
 * someone watches it. A region without its own rule follows the nearest region above it
 * that has one (county → city → province); none at all: not shown.
 */
export const inspectionPolicySchema = new Schema(
  {
    regionCode: { type: String, required: true, match: REGION_CODE, unique: true },
    showNotice: { type: Boolean, required: true },
    updatedBy: { type: ObjectId, default: null },
  },
  { timestamps: true },
);

export type InspectionPolicy = InferSchemaType<typeof inspectionPolicySchema> & { _id: Id };
