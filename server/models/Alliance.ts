import type { InferSchemaType } from 'mongoose';
import { ObjectId, REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** School stages an alliance covers (学段). */
export const STAGES = ['primary', 'junior', 'senior'] as const;

/**
 * A teacher research alliance (名师网络教研联盟): a leading teacher (领衔人) and member
 * teachers from many schools, for one subject and stage, organized at a province, city or
 * county (the plan's targets: 200 / 500 / 1,300).
 */
export const allianceSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, unique: true },
    level: { type: String, required: true, enum: ['province', 'city', 'county'] },
    /** The organizing region, of the alliance's level. */
    regionCode: { type: String, required: true, match: REGION_CODE },
    subject: { type: String, required: true, trim: true },
    stage: { type: String, required: true, enum: STAGES },
    leadTeacherId: { type: ObjectId, required: true },
    memberTeacherIds: { type: [ObjectId], default: [] },
    description: { type: String, default: '' },
  },
  { timestamps: true },
);
allianceSchema.index({ regionCode: 1 });
allianceSchema.index({ leadTeacherId: 1 });
allianceSchema.index({ memberTeacherIds: 1 });

export type Alliance = InferSchemaType<typeof allianceSchema> & { _id: Id };
