import { Router } from 'express';
import type { CookieOptions, Request, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { parse as parseCookie } from 'cookie';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import type { Session } from '../../auth/SessionService.ts';
import { REFRESH_COOKIE, TOKEN_COOKIE } from '../../auth/tokens.ts';
import type { LoginResponse, UserView } from '../../contract/api.ts';
import { LoginSchema } from '../../contract/schemas.ts';
import { NotFoundError, TooManyRequestsError, UnauthorizedError } from '../../errors.ts';
import type { Models, User } from '../../models/index.ts';
import type { AuditLog } from '../../resources/AuditLog.ts';
import { parseInput } from '../../validate.ts';
import { authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';

export function userView(user: User): UserView {
  return {
    id: user._id.toString(),
    username: user.username,
    realName: user.realName,
    role: user.role,
    schoolId: user.schoolId?.toString() ?? null,
    classroomId: user.classroomId?.toString() ?? null,
  };
}

const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200).optional() });

export interface AuthRouteOptions {
  /** Login attempts allowed per client address and username in the window. @default 10 */
  loginLimit?: number;
  /** The window, ms. @default 15 minutes */
  loginWindowMs?: number;
}

/**
 * Login (cookies for the browser, tokens in the body for API clients), refresh with
 * rotation, logout that revokes, and who-am-I. Login attempts are rate-limited per client
 * address and username.
 */
export function authRoutes(
  models: Models,
  auth: Authenticator,
  audit: AuditLog,
  table: RouteTable,
  { loginLimit = 10, loginWindowMs = 15 * 60_000 }: AuthRouteOptions = {},
): Router {
  const router = Router();
  const mount = '/api/auth';
  const { sessions } = auth;

  const cookieBase = (req: Request): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
  });
  const setCookies = (req: Request, res: Response, s: Session): void => {
    res.cookie(TOKEN_COOKIE, s.accessToken, { ...cookieBase(req), path: '/', maxAge: s.expiresIn * 1000 });
    res.cookie(REFRESH_COOKIE, s.refreshToken, {
      ...cookieBase(req),
      path: mount,
      maxAge: s.refreshExpiresIn * 1000,
    });
  };
  const body = (s: Session): LoginResponse & { refreshToken: string } => ({
    token: s.accessToken,
    expiresIn: s.expiresIn,
    refreshToken: s.refreshToken,
    user: userView(s.user),
  });
  const refreshTokenOf = (req: Request): string | undefined => {
    const fromBody = parseInput(RefreshBody, req.body ?? {}, 'refresh request').refreshToken;
    return fromBody ?? (req.headers.cookie ? parseCookie(req.headers.cookie)[REFRESH_COOKIE] : undefined);
  };

  const limiter = rateLimit({
    windowMs: loginWindowMs,
    limit: loginLimit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const name =
        typeof (req.body as { username?: unknown } | undefined)?.username === 'string'
          ? (req.body as { username: string }).username
          : '';
      return `${ipKeyGenerator(req.ip ?? '')}|${name.trim().toLowerCase()}`;
    },
    handler: () => {
      throw new TooManyRequestsError('too many login attempts: wait a few minutes');
    },
  });

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/login',
      summary: 'Log in with username and password',
      tag: 'Auth',
      access: { kind: 'public' },
      body: LoginSchema,
    },
    limiter,
    async (req, res) => {
      const { username, password } = parseInput(LoginSchema, req.body, 'login request');
      const user = await models.User.findOne({ username: username.toLowerCase() }).lean<User>();
      // Same answer and similar time for an unknown user and a wrong password.
      const ok = await verifyPassword(password, user?.passwordHash);
      if (!user || !ok || user.disabled) throw new UnauthorizedError('wrong username or password');
      const session = await sessions.open(user);
      setCookies(req, res, session);
      await audit.record(
        { userId: user._id.toString(), role: user.role, displayName: user.username, classroomId: null },
        'login',
        'session',
        null,
        null,
        null,
      );
      res.json(body(session));
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/refresh',
      summary: 'Exchange a refresh token for new tokens (rotation)',
      tag: 'Auth',
      access: { kind: 'public' },
      body: RefreshBody,
    },
    async (req, res) => {
      const session = await sessions.refresh(refreshTokenOf(req));
      setCookies(req, res, session);
      res.json(body(session));
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/logout',
      summary: 'Log out: revoke the session and clear cookies',
      tag: 'Auth',
      access: { kind: 'public' },
      body: RefreshBody,
      status: 204,
    },
    async (req, res) => {
      await sessions.close(refreshTokenOf(req));
      res.clearCookie(TOKEN_COOKIE, { path: '/' });
      res.clearCookie(REFRESH_COOKIE, { path: mount });
      res.status(204).end();
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/me',
      summary: 'The signed-in account',
      tag: 'Auth',
      access: { kind: 'authenticated' },
    },
    authenticate(auth),
    async (_req, res) => {
      const user = await models.User.findById(identityOf(res).userId).lean<User>();
      if (!user || user.disabled) throw new NotFoundError('account not found');
      res.json(userView(user));
    },
  );

  return router;
}
