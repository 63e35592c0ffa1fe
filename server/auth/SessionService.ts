import crypto from 'node:crypto';
import mongoose from 'mongoose';
import { TypedEmitter } from '../../sfu/index.ts';
import type { SessionEndReason } from '../contract/events.ts';
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

/** Why an account's sessions ended (for the log and the socket's last message). */
export type EndReason = Exclude<SessionEndReason, 'expired'>;

export interface SessionEvents extends Record<string, unknown[]> {
  /**
   * Sessions ended: one (`sessionId`) or every session of the account (`sessionId` null).
   * Listeners close the matching sockets.
   */
  ended: [{ userId: string; sessionId: string | null; reason: EndReason }];
}

/** What kind of credential a refresh token family is. */
export type SessionKind = 'login' | 'device';

const sha256 = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

export interface SessionServiceOptions {
  /** Refresh token lifetime of a login, seconds. */
  refreshTtlSeconds: number;
  /** Refresh token lifetime of an enrolled classroom device, seconds. @default 180 days */
  deviceTtlSeconds?: number;
  now?: () => number;
}

/**
 * Login sessions: a short-lived JWT access token plus an opaque refresh token stored as
 * its hash. Each refresh rotates the refresh token; presenting a used one again (a copy
 * was stolen) revokes the whole family, so both the thief and the user must log in again.
 * `endAll` ends every session of an account at once: its refresh tokens are revoked and its
 * `authVersion` raised, which voids every access token issued before.
 */
export class SessionService extends TypedEmitter<SessionEvents> {
  readonly #models: Models;
  readonly #tokens: TokenService;
  readonly refreshTtlSeconds: number;
  readonly deviceTtlSeconds: number;
  readonly #now: () => number;

  constructor(models: Models, tokens: TokenService, options: SessionServiceOptions) {
    super();
    this.#models = models;
    this.#tokens = tokens;
    this.refreshTtlSeconds = options.refreshTtlSeconds;
    this.deviceTtlSeconds = options.deviceTtlSeconds ?? 180 * 24 * 3600;
    this.#now = options.now ?? Date.now;
  }

  /** Opens a session for a verified user (a new family, or the next token of `familyId`). */
  async open(
    user: User,
    family: { id?: string; kind?: SessionKind; label?: string | null; startedAt?: Date } = {},
  ): Promise<Session> {
    const kind = family.kind ?? 'login';
    const ttl = kind === 'device' ? this.deviceTtlSeconds : this.refreshTtlSeconds;
    const familyId = family.id ?? crypto.randomUUID();
    const refreshToken = crypto.randomBytes(32).toString('base64url');
    await this.#models.RefreshToken.create({
      tokenHash: sha256(refreshToken),
      familyId,
      userId: user._id,
      expiresAt: new Date(this.#now() + ttl * 1000),
      kind,
      label: family.label ?? null,
      startedAt: family.startedAt ?? new Date(this.#now()),
    });
    const accessToken = this.#tokens.sign({
      userId: user._id.toString(),
      role: user.role,
      displayName: user.realName,
      classroomId: user.classroomId?.toString() ?? null,
      sessionId: familyId,
      authVersion: user.authVersion,
    });
    return { accessToken, expiresIn: this.#tokens.ttlSeconds, refreshToken, refreshExpiresIn: ttl, user };
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
      if (known?.usedAt && !known.revokedAt)
        await this.closeFamily(known.userId.toString(), known.familyId, 'logout');
      throw known?.usedAt && !known.revokedAt
        ? new UnauthorizedError('session revoked: the refresh token was used twice', 'SESSION_ENDED')
        : known?.revokedAt
          ? new UnauthorizedError('session ended', 'SESSION_ENDED')
          : new UnauthorizedError('session expired', 'SESSION_EXPIRED');
    }
    const user = await this.#models.User.findById(record.userId).lean<User>();
    if (!user || user.disabled || user.mustChangePassword) {
      await this.closeFamily(record.userId.toString(), record.familyId, 'disabled');
      throw new UnauthorizedError('account disabled', 'SESSION_ENDED');
    }
    return this.open(user, {
      id: record.familyId,
      kind: record.kind,
      label: record.label ?? null,
      startedAt: record.startedAt ?? new Date(this.#now()),
    });
  }

  /** Ends the session a refresh token belongs to (logout). Unknown tokens are ignored. */
  async close(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const record = await this.#models.RefreshToken.findOne({ tokenHash: sha256(refreshToken) }).lean();
    if (!record) return;
    await this.#revokeFamily(record.familyId);
    this.safeEmit('ended', {
      userId: record.userId.toString(),
      sessionId: record.familyId,
      reason: 'logout',
    });
  }

  /** Ends one session by its family id (an access token's `sessionId`, or a revoked device). */
  async closeFamily(userId: string, familyId: string, reason: EndReason): Promise<void> {
    await this.#revokeFamily(familyId);
    this.safeEmit('ended', { userId, sessionId: familyId, reason });
  }

  /**
   * Ends every session of an account at once: refresh tokens revoked, access tokens voided
   * (authVersion raised), sockets told through the `ended` event.
   */
  async endAll(userId: string, reason: EndReason): Promise<void> {
    await this.#models.User.updateOne({ _id: userId }, { $inc: { authVersion: 1 } });
    await this.#models.RefreshToken.updateMany(
      { userId, revokedAt: null },
      { $set: { revokedAt: new Date(this.#now()) } },
    );
    this.safeEmit('ended', { userId, sessionId: null, reason });
  }

  /** What decides whether an account's tokens still stand; null for a deleted account. */
  async accountState(userId: string): Promise<{ disabled: boolean; authVersion: number } | null> {
    if (!mongoose.isValidObjectId(userId)) return null;
    const user = await this.#models.User.findById(userId, { disabled: 1, authVersion: 1 }).lean();
    return user ? { disabled: !!user.disabled, authVersion: user.authVersion ?? 0 } : null;
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
