import crypto from 'node:crypto';
import { UnauthorizedError } from '../errors.ts';
import type { Models, User } from '../models/index.ts';
import type { TokenService } from './tokens.ts';

export interface Session {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds until the refresh token expires. */
  refreshExpiresIn: number;
  user: User;
}

const sha256 = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

/**
 * Login sessions: a short-lived JWT access token plus an opaque refresh token stored as
 * its hash. Each refresh rotates the refresh token; presenting a used one again (a copy
 * was stolen) revokes the whole family, so both the thief and the user must log in again.
 */
export class SessionService {
  readonly #models: Models;
  readonly #tokens: TokenService;
  readonly refreshTtlSeconds: number;
  readonly #now: () => number;

  constructor(models: Models, tokens: TokenService, refreshTtlSeconds: number, now: () => number = Date.now) {
    this.#models = models;
    this.#tokens = tokens;
    this.refreshTtlSeconds = refreshTtlSeconds;
    this.#now = now;
  }

  /** Opens a session for a verified user. */
  async open(user: User, familyId: string = crypto.randomUUID()): Promise<Session> {
    const refreshToken = crypto.randomBytes(32).toString('base64url');
    await this.#models.RefreshToken.create({
      tokenHash: sha256(refreshToken),
      familyId,
      userId: user._id,
      expiresAt: new Date(this.#now() + this.refreshTtlSeconds * 1000),
    });
    const accessToken = this.#tokens.sign({
      userId: user._id.toString(),
      role: user.role,
      displayName: user.realName,
      classroomId: user.classroomId?.toString() ?? null,
      sessionId: familyId,
    });
    return {
      accessToken,
      expiresIn: this.#tokens.ttlSeconds,
      refreshToken,
      refreshExpiresIn: this.refreshTtlSeconds,
      user,
    };
  }

  /**
   * Exchanges a refresh token for a new session.
   * @throws UnauthorizedError for an unknown, expired, revoked or reused token
   */
  async refresh(refreshToken: string | undefined): Promise<Session> {
    if (!refreshToken) throw new UnauthorizedError('login required');
    const now = new Date(this.#now());
    // Mark it used atomically: of two concurrent refreshes with one token, one wins.
    const record = await this.#models.RefreshToken.findOneAndUpdate(
      { tokenHash: sha256(refreshToken), usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: 'before' },
    ).lean();
    if (!record) {
      const known = await this.#models.RefreshToken.findOne({ tokenHash: sha256(refreshToken) }).lean();
      if (known?.usedAt) await this.#revokeFamily(known.familyId);
      throw new UnauthorizedError(
        known?.usedAt ? 'session revoked: the refresh token was used twice' : 'session expired',
      );
    }
    const user = await this.#models.User.findById(record.userId).lean<User>();
    if (!user || user.disabled) {
      await this.#revokeFamily(record.familyId);
      throw new UnauthorizedError('account disabled');
    }
    return this.open(user, record.familyId);
  }

  /** Ends the session a refresh token belongs to (logout). Unknown tokens are ignored. */
  async close(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const record = await this.#models.RefreshToken.findOne({ tokenHash: sha256(refreshToken) }).lean();
    if (record) await this.#revokeFamily(record.familyId);
  }

  /** Whether the session of an access token was closed (logout, reuse detected). */
  async isRevoked(sessionId: string | null | undefined): Promise<boolean> {
    if (!sessionId) return false;
    return !!(await this.#models.RefreshToken.exists({ familyId: sessionId, revokedAt: { $ne: null } }));
  }

  async #revokeFamily(familyId: string): Promise<void> {
    await this.#models.RefreshToken.updateMany(
      { familyId, revokedAt: null },
      { $set: { revokedAt: new Date(this.#now()) } },
    );
  }
}
