import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** An image on a lesson's board: a courseware page (rendered from a PDF in the browser) or a picture. */
export const boardAssetSchema = new Schema({
  lessonId: { type: ObjectId, required: true },
  mediaType: { type: String, required: true, enum: ['image/jpeg', 'image/png', 'image/webp'] },
  width: { type: Number, required: true },
  height: { type: Number, required: true },
  data: { type: Buffer, required: true },
  /** Size of `data` (the lesson's upload quota adds these up without reading the images). */
  bytes: { type: Number, default: 0 },
  createdAt: { type: Date, required: true },
  createdBy: { type: ObjectId, required: true },
});
boardAssetSchema.index({ lessonId: 1 });

export type BoardAsset = InferSchemaType<typeof boardAssetSchema> & { _id: Id };
