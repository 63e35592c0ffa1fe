import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A subscribable iCal feed (a teacher's, a classroom's or a cluster's lessons), reached by a
 * secret URL token. Only the token's SHA-256 is stored; revoking stops the URL working.
 */
export const calendarFeedSchema = new Schema(
  {
    tokenHash: { type: String, required: true, unique: true },
    kind: { type: String, required: true, enum: ['teacher', 'classroom', 'cluster'] },
    subjectId: { type: ObjectId, required: true },
    /** Shown in lists, e.g. the teacher's or classroom's name. */
    label: { type: String, required: true },
    createdBy: { type: ObjectId, required: true },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
calendarFeedSchema.index({ kind: 1, subjectId: 1 });

export type CalendarFeed = InferSchemaType<typeof calendarFeedSchema> & { _id: Id };
