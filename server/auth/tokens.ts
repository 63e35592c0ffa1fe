import { parse as parseCookie } from 'cookie';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import type { Role } from '../contract/api.ts';
import { UnauthorizedError } from '../errors.ts';
import { ROLES } from '../models/User.ts';

/** The identity carried by an access token. */
export interface Identity {
  userId: string;
  role: Role;
  displayName: string;
  classroomId: string | null;
  /** The login session (refresh token family) the token belongs to; revoked at logout. */
  sessionId?: string | null;
  /** The account's `authVersion` when the token was issued; a raised version voids the token. */
  authVersion?: number;
  /** When the token expires, ms since the epoch (set by `verify`). */
  expiresAt?: number;
}

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  name: z.string(),
  cid: z.string().nullable(),
  sid: z.string().nullable().optional(),
  ver: z.number().int().min(0).optional(),
  exp: z.number(),
});

/** Name of the httpOnly cookie that carries the access token for the browser. */
export const TOKEN_COOKIE = 'sc_access';
/** Name of the httpOnly cookie (path /api/auth) that carries the refresh token. */
export const REFRESH_COOKIE = 'sc_refresh';

/** Signs and verifies access tokens (HS256). */
export class TokenService {
  readonly #secret: string;
  readonly ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#secret = secret;
    this.ttlSeconds = ttlSeconds;
  }

  sign(identity: Identity): string {
    return jwt.sign(
      {
        role: identity.role,
        name: identity.displayName,
        cid: identity.classroomId,
        sid: identity.sessionId ?? null,
        ver: identity.authVersion ?? 0,
      },
      this.#secret,
      { algorithm: 'HS256', subject: identity.userId, expiresIn: this.ttlSeconds },
    );
  }

  /** @throws UnauthorizedError for a missing, expired, forged or malformed token */
  verify(token: string | undefined): Identity {
    if (!token) throw new UnauthorizedError();
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#secret, { algorithms: ['HS256'] });
    } catch (error) {
      throw error instanceof jwt.TokenExpiredError
        ? new UnauthorizedError('session expired', 'SESSION_EXPIRED')
        : new UnauthorizedError('invalid token', 'INVALID_TOKEN');
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError('invalid token', 'INVALID_TOKEN');
    return {
      userId: claims.data.sub,
      role: claims.data.role,
      displayName: claims.data.name,
      classroomId: claims.data.cid,
      sessionId: claims.data.sid ?? null,
      authVersion: claims.data.ver ?? 0,
      expiresAt: claims.data.exp * 1000,
    };
  }
}

/** Reads a token from `Authorization: Bearer …` or else the cookie header. */
export function tokenFromHeaders(headers: {
  authorization?: string | undefined;
  cookie?: string | undefined;
}): string | undefined {
  const bearer = headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return bearer;
  return headers.cookie ? parseCookie(headers.cookie)[TOKEN_COOKIE] : undefined;
}
