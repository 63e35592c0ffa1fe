import type { InferSchemaType } from 'mongoose';
import { ObjectId, REGION_CODE, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A scheduled research session (网络教研活动) of an alliance: every participant sends and
 * receives (N+N). Held once it went live; `attendeeIds` are the teachers who joined.
 */
export const researchSessionSchema = new Schema(
  {
    allianceId: { type: ObjectId, required: true },
    /** The alliance's organizing region (copied, for scoping and counting without joins). */
    regionCode: { type: String, required: true, match: REGION_CODE },
    title: { type: String, required: true, trim: true },
    agenda: { type: String, default: '' },
    scheduledStart: { type: Date, required: true },
    scheduledEnd: { type: Date, required: true },
    state: { type: String, required: true, enum: ['scheduled', 'live', 'ended'], default: 'scheduled' },
    startedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    attendeeIds: { type: [ObjectId], default: [] },
  },
  { timestamps: true },
);
researchSessionSchema.index({ allianceId: 1, scheduledStart: 1 });
researchSessionSchema.index({ regionCode: 1, scheduledStart: 1 });

export type ResearchSession = InferSchemaType<typeof researchSessionSchema> & { _id: Id };
