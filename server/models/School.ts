import type { InferSchemaType } from 'mongoose';
import { trackChanges } from './changes.ts';
import { ObjectId, REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

export const schoolSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    /** County (县市区) code. */
    regionCode: { type: String, required: true, match: REGION_CODE },
    kind: { type: String, required: true, enum: ['hub', 'rural', 'teaching_point'] },
    /** The school's link, Mbit/s. */
    downlinkMbps: { type: Number, required: true, min: 0 },
    uplinkMbps: { type: Number, required: true, min: 0 },
    bellScheduleId: { type: ObjectId, default: null },
    termCalendarId: { type: ObjectId, default: null },
  },
  { timestamps: true },
);
schoolSchema.index({ regionCode: 1, name: 1 }, { unique: true });

// Reports keep this collection in memory and reload it when it changes (see changes.ts).
trackChanges(schoolSchema, 'School');

export type School = InferSchemaType<typeof schoolSchema> & { _id: Id };
