import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/** One minute of a participant's connection in a live lesson, as the SFU measured it. */
export const linkSampleSchema = new Schema({
  lessonId: { type: ObjectId, required: true },
  /** Start of the minute. */
  minute: { type: Date, required: true },
  role: { type: String, required: true, enum: ['teacher', 'classroom'] },
  refId: { type: String, required: true },
  connection: { type: String, required: true },
  /** Round-trip time of the media sent to it, ms (null when not measured yet). */
  rttMs: { type: Number, default: null },
  /** Packet loss reported back for the media sent to it, %. */
  lossPct: { type: Number, default: null },
  /** bit/s it receives from the server and sends to it. */
  recvBitrate: { type: Number, required: true },
  sendBitrate: { type: Number, required: true },
});
linkSampleSchema.index({ lessonId: 1, minute: 1 });

export type LinkSample = InferSchemaType<typeof linkSampleSchema> & { _id: Id };
