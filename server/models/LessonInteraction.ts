import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A live lesson's raised hands, floor, spotlight and mutes, written on every change, so that
 * whichever process hosts the lesson next (after a media worker or the process itself died)
 * carries on with them. Removed when the lesson ends.
 */
export const lessonInteractionSchema = new Schema(
  {
    lessonId: { type: ObjectId, required: true, unique: true },
    hands: { type: [{ _id: false, classroomId: String, at: Number }], default: [] },
    floor: { type: String, default: null },
    spotlight: { type: String, default: null },
    muted: { type: [String], default: [] },
  },
  { timestamps: true },
);

export type LessonInteraction = InferSchemaType<typeof lessonInteractionSchema> & { _id: Id };
