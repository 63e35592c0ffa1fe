import { UnauthorizedError } from '../errors.ts';
import type { SessionService } from './SessionService.ts';
import type { Identity, TokenService } from './tokens.ts';

export interface AuthenticatorOptions {
  /**
   * How long the answer "this token's account and session are still good" is reused, ms.
   * Bounds how late another process notices an ended session. @default 1000
   */
  revocationCacheMs?: number;
  now?: () => number;
}

/**
 * Verifies an access token, then that its session and account still stand: the session not
 * closed (logout, a revoked device), the account neither deleted nor disabled and its
 * `authVersion` unchanged (password reset, role or scope change). That second check reads the
 * database at most once a second per session; this process forgets its answer at once when
 * it ends a session itself.
 */
export class Authenticator {
  readonly tokens: TokenService;
  readonly sessions: SessionService;
  readonly #cacheMs: number;
  readonly #now: () => number;
  /** `userId|sessionId|authVersion` → until when it is known to be good. */
  readonly #good = new Map<string, number>();

  constructor(tokens: TokenService, sessions: SessionService, options: AuthenticatorOptions = {}) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.#cacheMs = options.revocationCacheMs ?? 1000;
    this.#now = options.now ?? Date.now;
    sessions.on('ended', ({ userId }) => {
      for (const key of this.#good.keys()) if (key.startsWith(`${userId}|`)) this.#good.delete(key);
    });
  }

  /** @throws UnauthorizedError */
  async verify(token: string | undefined): Promise<Identity> {
    const identity = this.tokens.verify(token);
    await this.check(identity);
    return identity;
  }

  /**
   * Whether a verified identity still stands (also on every socket event).
   * @throws UnauthorizedError when its session ended or its access expired
   */
  async check(identity: Identity): Promise<void> {
    const now = this.#now();
    if (identity.expiresAt !== undefined && identity.expiresAt <= now)
      throw new UnauthorizedError('session expired', 'SESSION_EXPIRED');
    const key = `${identity.userId}|${identity.sessionId ?? ''}|${identity.authVersion ?? 0}`;
    const until = this.#good.get(key);
    if (until !== undefined && until > now) return;
    const [user, revoked] = await Promise.all([
      this.sessions.accountState(identity.userId),
      this.sessions.isRevoked(identity.sessionId),
    ]);
    if (!user || user.disabled || user.authVersion !== (identity.authVersion ?? 0) || revoked) {
      this.#good.delete(key);
      throw new UnauthorizedError('session ended', 'SESSION_ENDED');
    }
    if (this.#good.size > 50_000) this.#good.clear();
    this.#good.set(key, now + this.#cacheMs);
  }
}
