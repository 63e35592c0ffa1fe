import type { InferSchemaType } from 'mongoose';
import { ObjectId, Schema } from './schema.ts';
import type { Id } from './schema.ts';

/**
 * A refresh token, stored as its SHA-256. Tokens of one login form a family; using a token
 * twice (a stolen copy) revokes the whole family.
 */
export const refreshTokenSchema = new Schema({
  tokenHash: { type: String, required: true, unique: true },
  familyId: { type: String, required: true, index: true },
  userId: { type: ObjectId, required: true, index: true },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date, default: null },
  revokedAt: { type: Date, default: null },
  /** 'device': a classroom device enrolled with a code (long-lived, listed and revocable by its coordinator). */
  kind: { type: String, enum: ['login', 'device'], default: 'login' },
  /** What the device said it is (user agent), for the coordinator's list. */
  label: { type: String, default: null },
  /** When the family began (the first token of a login or an enrolment). */
  startedAt: { type: Date, default: null },
});

export type RefreshToken = InferSchemaType<typeof refreshTokenSchema> & { _id: Id };
