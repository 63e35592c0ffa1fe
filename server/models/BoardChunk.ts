import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A run of a lesson board's sequenced changes, written in one go (the changes that arrived
 * while the previous write was in flight: group commit). A board is the fold of its chunks'
 * ops in `seq` order. Changes are stored as the server sequenced them (`BoardOp`), opaque to
 * the database.
 */
export const boardChunkSchema = new Schema({
  lessonId: { type: ObjectId, required: true },
  fromSeq: { type: Number, required: true },
  toSeq: { type: Number, required: true },
  ops: { type: [Schema.Types.Mixed], required: true },
});
boardChunkSchema.index({ lessonId: 1, fromSeq: 1 }, { unique: true });

export type BoardChunk = InferSchemaType<typeof boardChunkSchema> & { _id: Id };
