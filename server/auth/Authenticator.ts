import { UnauthorizedError } from '../errors.ts';
import type { SessionService } from './SessionService.ts';
import type { Identity, TokenService } from './tokens.ts';

/** Verifies an access token and that its session was not closed (logout revokes at once). */
export class Authenticator {
  readonly tokens: TokenService;
  readonly sessions: SessionService;

  constructor(tokens: TokenService, sessions: SessionService) {
    this.tokens = tokens;
    this.sessions = sessions;
  }

  /** @throws UnauthorizedError */
  async verify(token: string | undefined): Promise<Identity> {
    const identity = this.tokens.verify(token);
    if (await this.sessions.isRevoked(identity.sessionId)) throw new UnauthorizedError('session ended');
    return identity;
  }
}
