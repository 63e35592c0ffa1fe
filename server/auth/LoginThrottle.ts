import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../errors.ts';

export interface LoginThrottleOptions {
  /** Failed attempts per username, from any address, in the window. @default 10 */
  perUsername?: number;
  /** Failed attempts per client address, for any username, in the window. @default 30 */
  perAddress?: number;
  /** @default 900 (15 minutes) */
  windowSeconds?: number;
  /**
   * The limiters' store. @default one in this process's memory. (With several processes,
   * a Redis-backed `RateLimiterRedis` pair of the same shape shares the counts.)
   */
  limiters?: { byUsername: RateLimiterAbstract; byAddress: RateLimiterAbstract };
}

/**
 * Limits password guessing: failed sign-ins are counted per username (a guess at one
 * account from many addresses) and per client address (one address spraying many
 * usernames); successful sign-ins are never counted, and one clears its username's count,
 * so a classroom kiosk that signs in all day is never locked out. Built on
 * rate-limiter-flexible rather than hand-written counters: its stores (memory, Redis, a
 * database) share one interface, which is what lets several server processes share counts.
 */
export class LoginThrottle {
  readonly #byUsername: RateLimiterAbstract;
  readonly #byAddress: RateLimiterAbstract;

  constructor(options: LoginThrottleOptions = {}) {
    const duration = options.windowSeconds ?? 900;
    this.#byUsername =
      options.limiters?.byUsername ??
      new RateLimiterMemory({ keyPrefix: 'login-user', points: options.perUsername ?? 10, duration });
    this.#byAddress =
      options.limiters?.byAddress ??
      new RateLimiterMemory({ keyPrefix: 'login-addr', points: options.perAddress ?? 30, duration });
  }

  /** @throws TooManyRequestsError while the username or the address has used up its failures */
  async assertAllowed(username: string, address: string): Promise<void> {
    const [user, addr] = await Promise.all([
      this.#byUsername.get(username.toLowerCase()),
      this.#byAddress.get(address),
    ]);
    const blocked = [
      user && user.remainingPoints <= 0 ? user : null,
      addr && addr.remainingPoints <= 0 ? addr : null,
    ].filter((r): r is RateLimiterRes => !!r);
    if (!blocked.length) return;
    const wait = Math.max(...blocked.map((r) => Math.ceil(r.msBeforeNext / 1000)));
    throw new TooManyRequestsError('too many failed sign-ins: wait a few minutes', wait);
  }

  /** Counts a failed attempt against both the username and the address. */
  async failed(username: string, address: string): Promise<void> {
    await Promise.all([
      this.#byUsername.penalty(username.toLowerCase(), 1),
      this.#byAddress.penalty(address, 1),
    ]);
  }

  /** A successful sign-in clears its username's failures (the address keeps its count). */
  async succeeded(username: string): Promise<void> {
    await this.#byUsername.delete(username.toLowerCase());
  }
}
