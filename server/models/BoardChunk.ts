import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A run of a lesson board's sequenced changes, written in one go (the changes that arrived
 * while the previous write was in flight: group commit). A board is the fold of its chunks'
 * ops in `seq` order. The ops are stored as the server sequenced them (`BoardOp[]`), as one
 * JSON string: opaque to the database, and about five times faster for FerretDB to read back
 * than the same ops as nested documents (bench:board, replay after a restart).
 */
export const boardChunkSchema = new Schema({
  lessonId: { type: ObjectId, required: true },
  fromSeq: { type: Number, required: true },
  toSeq: { type: Number, required: true },
  /** JSON of `BoardOp[]`. */
  ops: { type: String, required: true },
});
boardChunkSchema.index({ lessonId: 1, fromSeq: 1 }, { unique: true });

export type BoardChunk = InferSchemaType<typeof boardChunkSchema> & { _id: Id };
