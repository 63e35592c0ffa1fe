import bcrypt from 'bcryptjs';

/** bcrypt cost; 10 keeps a check near 60 ms on one core. */
const COST = 10;

let dummyHash: string | undefined;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

/**
 * Checks a password against a stored hash. With no hash (unknown user) it still spends
 * the time of a real check, so timing does not tell which usernames exist.
 */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  if (hash) return bcrypt.compare(password, hash);
  dummyHash ??= await bcrypt.hash('not-a-password', COST);
  await bcrypt.compare(password, dummyHash);
  return false;
}
