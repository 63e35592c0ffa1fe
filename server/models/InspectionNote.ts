import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A note an inspector (or a bureau or coordinator looking in) writes while watching a lesson
 * (巡课记录), stamped with the moment it refers to.
 */
export const inspectionNoteSchema = new Schema(
  {
    lessonId: { type: ObjectId, required: true },
    authorId: { type: ObjectId, required: true },
    /** The author's real name when written (kept if the account is renamed or removed). */
    authorName: { type: String, required: true },
    /** The moment of the lesson the note is about. */
    at: { type: Date, required: true },
    text: { type: String, required: true, trim: true, maxlength: 2000 },
  },
  { timestamps: true },
);
inspectionNoteSchema.index({ lessonId: 1, at: 1 });

export type InspectionNote = InferSchemaType<typeof inspectionNoteSchema> & { _id: Id };
