import crypto from 'node:crypto';
import { ENROLMENT_ALPHABET } from '../contract/schemas.ts';
import type { Models, User } from '../models/index.ts';

/** How long a code may wait to be typed on the whiteboard. */
export const ENROLMENT_TTL_MS = 24 * 3600_000;

const sha256 = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/** 8 characters of the unambiguous alphabet (40 bits), shown as XXXX-XXXX. */
function newCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += ENROLMENT_ALPHABET[crypto.randomInt(ENROLMENT_ALPHABET.length)];
  return code;
}

/**
 * A one-time code that enrols a device for a classroom account; earlier unused codes of the
 * account stop working. Only the code's hash is stored.
 */
export async function issueEnrolment(
  models: Models,
  userId: string,
  createdBy: string,
  now: number,
): Promise<{ code: string; expiresAt: string }> {
  await models.DeviceEnrolment.updateMany({ userId, usedAt: null }, { $set: { usedAt: new Date(now) } });
  const code = newCode();
  const expiresAt = new Date(now + ENROLMENT_TTL_MS);
  await models.DeviceEnrolment.create({ codeHash: sha256(code), userId, createdBy, expiresAt });
  return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt: expiresAt.toISOString() };
}

/** The classroom account a code enrols, marking the code used; null for an unknown, used or expired code. */
export async function redeemEnrolment(
  models: Models,
  normalizedCode: string,
  now: number = Date.now(),
): Promise<User | null> {
  const record = await models.DeviceEnrolment.findOneAndUpdate(
    { codeHash: sha256(normalizedCode), usedAt: null, expiresAt: { $gt: new Date(now) } },
    { $set: { usedAt: new Date(now) } },
  ).lean();
  if (!record) return null;
  const user = await models.User.findById(record.userId).lean<User>();
  return user && !user.disabled && user.role === 'classroom' ? user : null;
}
