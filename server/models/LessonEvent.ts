import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * What happened in a lesson, written as it happens (never reconstructed afterwards): the
 * lesson going live and ending, each classroom and the teacher joining and leaving, head
 * counts, and what start-up reconciliation closed after a restart.
 */
export const lessonEventSchema = new Schema({
  lessonId: { type: ObjectId, required: true },
  at: { type: Date, required: true },
  kind: { type: String, required: true, enum: ['live', 'ended', 'join', 'leave', 'headcount'] },
  /** Who: the teacher (user id) or a classroom (classroom id); null for the lesson itself. */
  role: { type: String, enum: ['teacher', 'classroom', null], default: null },
  refId: { type: String, default: null },
  /** Head count entered on the kiosk. */
  count: { type: Number, default: null },
  /** Set on events written by reconciliation after a restart. */
  reconciled: { type: Boolean, default: false },
});
lessonEventSchema.index({ lessonId: 1, at: 1 });

export type LessonEvent = InferSchemaType<typeof lessonEventSchema> & { _id: Id };
