import { Router } from 'express';
import type { CookieOptions, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { parse as parseCookie } from 'cookie';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import type { LoginThrottle } from '../../auth/LoginThrottle.ts';
import { hashPassword, verifyPassword } from '../../auth/passwords.ts';
import type { Session } from '../../auth/SessionService.ts';
import { redeemEnrolment } from '../../auth/enrolment.ts';
import { tokenFromHeaders } from '../../auth/tokens.ts';
import { REFRESH_COOKIE, TOKEN_COOKIE } from '../../auth/tokens.ts';
import type { LoginResponse, UserView } from '../../contract/api.ts';
import { EnrolSchema, LoginSchema, PasswordChangeSchema } from '../../contract/schemas.ts';
import { isLoopbackHost } from '../../config.ts';
import {
  DemoAccountLocalOnlyError,
  NotFoundError,
  PasswordChangeRequiredError,
  UnauthorizedError,
} from '../../errors.ts';
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
  /** Counts failed sign-ins (per username and per address). */
  throttle: LoginThrottle;
}

/**
 * Login (cookies for the browser, tokens in the body for API clients), refresh with
 * rotation, logout that revokes, a first password of one's own, classroom device
 * enrolment, and who-am-I. Failed sign-ins are limited per username and per address.
 */
export function authRoutes(
  models: Models,
  auth: Authenticator,
  audit: AuditLog,
  table: RouteTable,
  { throttle }: AuthRouteOptions,
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
  const addressOf = (req: Request): string => ipKeyGenerator(req.ip ?? '');
  /** Opens a session for `user`, sets its cookies, audits the sign-in (as `entity`) and answers with its tokens. */
  const signIn = async (
    req: Request,
    res: Response,
    user: User,
    entity: 'session' | 'password' | 'device',
    kind?: Parameters<typeof sessions.open>[1],
  ): Promise<void> => {
    const session = await sessions.open(user, kind);
    setCookies(req, res, session);
    await audit.record(
      { userId: user._id.toString(), role: user.role, displayName: user.username, classroomId: null },
      'login',
      entity,
      null,
      null,
      null,
    );
    res.json(body(session));
  };

  /**
   * The account whose password this is, counted by the throttle either way.
   * @throws TooManyRequestsError, UnauthorizedError
   */
  const checkPassword = async (req: Request, username: string, password: string): Promise<User> => {
    const name = username.toLowerCase();
    await throttle.assertAllowed(name, addressOf(req));
    const user = await models.User.findOne({ username: name }).lean<User>();
    // Same answer and similar time for an unknown user and a wrong password.
    const ok = await verifyPassword(password, user?.passwordHash);
    if (!user || !ok || user.disabled) {
      await throttle.failed(name, addressOf(req));
      throw new UnauthorizedError('wrong username or password', 'WRONG_PASSWORD');
    }
    await throttle.succeeded(name);
    // The demo's passwords are published: they open the demo on this machine only.
    if (user.demo && !isLoopbackHost(req.ip ?? '')) throw new DemoAccountLocalOnlyError();
    return user;
  };

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/login',
      summary:
        'Log in with username and password (403 PASSWORD_CHANGE_REQUIRED: set your own with POST /api/auth/password)',
      tag: 'Auth',
      access: { kind: 'public' },
      body: LoginSchema,
    },
    async (req, res) => {
      const { username, password } = parseInput(LoginSchema, req.body, 'login request');
      const user = await checkPassword(req, username, password);
      if (user.mustChangePassword) throw new PasswordChangeRequiredError();
      await signIn(req, res, user, 'session');
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/password',
      summary:
        'Set a password of your own (required after a handed-out one); ends every other session and signs in',
      tag: 'Auth',
      access: { kind: 'public' },
      body: PasswordChangeSchema,
    },
    async (req, res) => {
      const input = parseInput(PasswordChangeSchema, req.body, 'password change');
      const user = await checkPassword(req, input.username, input.currentPassword);
      await models.User.updateOne(
        { _id: user._id },
        {
          $set: {
            passwordHash: await hashPassword(input.newPassword),
            mustChangePassword: false,
            demo: false,
          },
        },
      );
      await sessions.endAll(user._id.toString(), 'password');
      const fresh = await models.User.findById(user._id).lean<User>();
      if (!fresh) throw new NotFoundError('account not found');
      await signIn(req, res, fresh, 'password');
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/enrol',
      summary: 'Enrol a classroom device with the code its coordinator generated (once); it stays signed in',
      tag: 'Auth',
      access: { kind: 'public' },
      body: EnrolSchema,
    },
    async (req, res) => {
      const { code } = parseInput(EnrolSchema, req.body, 'enrolment');
      const address = addressOf(req);
      await throttle.assertAllowed(`enrol:${address}`, address);
      const user = await redeemEnrolment(models, code);
      if (!user) {
        await throttle.failed(`enrol:${address}`, address);
        throw new UnauthorizedError('unknown or expired enrolment code', 'ENROLMENT_CODE_INVALID');
      }
      const label = String(req.headers['user-agent'] ?? 'device').slice(0, 160);
      await signIn(req, res, user, 'device', { kind: 'device', label });
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
      summary: 'Log out: revoke the session, close its sockets and clear cookies',
      tag: 'Auth',
      access: { kind: 'public' },
      body: RefreshBody,
      status: 204,
    },
    async (req, res) => {
      await sessions.close(refreshTokenOf(req));
      // An API client may log out with its access token only.
      const identity = await auth.verify(tokenFromHeaders(req.headers)).catch(() => null);
      if (identity?.sessionId) await sessions.closeFamily(identity.userId, identity.sessionId, 'logout');
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
