import crypto from 'node:crypto';
import type { Role } from '../contract/api.ts';
import { ConflictError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { hashPassword } from './passwords.ts';
import { SYSTEM_ADMIN_NAME } from '../contract/names.ts';

/** A password to hand out once: 12 characters of base64url (72 bits). */
export function oneTimePassword(): string {
  return crypto.randomBytes(9).toString('base64url');
}

/**
 * Creates an account (an admin, by default) with a one-time password that its owner
 * replaces at first sign-in. Returns the password: it is stored only as a hash.
 * @throws ConflictError when the username is taken
 */
export async function createAccount(
  models: Models,
  input: { username: string; realName?: string; role?: Role; regionCode?: string | null },
): Promise<{ username: string; password: string }> {
  const username = input.username.trim().toLowerCase();
  if (await models.User.exists({ username })) throw new ConflictError(`the username ${username} is taken`);
  const password = oneTimePassword();
  await models.User.create({
    username,
    realName: input.realName ?? username,
    role: input.role ?? 'admin',
    regionCode: input.regionCode ?? null,
    passwordHash: await hashPassword(password),
    mustChangePassword: true,
  });
  return { username, password };
}

/**
 * Without demo data, the first start creates an `admin` account with a one-time password
 * (printed once by the caller) if no admin exists; later starts create nothing.
 */
export async function ensureFirstAdmin(
  models: Models,
): Promise<{ username: string; password: string } | null> {
  if (await models.User.exists({ role: 'admin' })) return null;
  const name = (await models.User.exists({ username: 'admin' }))
    ? `admin-${crypto.randomInt(1000, 9999)}`
    : 'admin';
  return createAccount(models, { username: name, realName: SYSTEM_ADMIN_NAME, role: 'admin' });
}
