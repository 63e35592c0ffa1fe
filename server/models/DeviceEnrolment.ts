import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A short code that enrols one classroom device: typed once on the whiteboard, it is
 * exchanged for a device credential (a refresh token family of kind 'device'). Stored as its
 * SHA-256; usable once, until it expires.
 */
export const deviceEnrolmentSchema = new Schema({
  codeHash: { type: String, required: true, unique: true },
  /** The classroom device account the code signs in. */
  userId: { type: ObjectId, required: true, index: true },
  createdBy: { type: ObjectId, required: true },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null },
});

export type DeviceEnrolment = InferSchemaType<typeof deviceEnrolmentSchema> & { _id: Id };
