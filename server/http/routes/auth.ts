import { Router } from 'express';
import type { LoginResponse, UserView } from '../../contract/api.ts';
import { LoginSchema } from '../../contract/schemas.ts';
import { TOKEN_COOKIE } from '../../auth/tokens.ts';
import type { TokenService } from '../../auth/tokens.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { NotFoundError, UnauthorizedError } from '../../errors.ts';
import type { Models, User } from '../../models/index.ts';
import { parseInput } from '../../validate.ts';
import { authenticate, identityOf } from '../middleware.ts';

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

/** Login (cookie for the browser, token in the body for API clients), logout, who am I. */
export function authRoutes(models: Models, tokens: TokenService): Router {
  const router = Router();

  router.post('/login', async (req, res) => {
    const { username, password } = parseInput(LoginSchema, req.body, 'login request');
    const user = await models.User.findOne({ username: username.toLowerCase() }).lean<User>();
    // Same answer and similar time for an unknown user and a wrong password.
    const ok = await verifyPassword(password, user?.passwordHash);
    if (!user || !ok || user.disabled) throw new UnauthorizedError('wrong username or password');
    const token = tokens.sign({
      userId: user._id.toString(),
      role: user.role,
      displayName: user.realName,
      classroomId: user.classroomId?.toString() ?? null,
    });
    res.cookie(TOKEN_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/',
      maxAge: tokens.ttlSeconds * 1000,
    });
    const body: LoginResponse = { token, expiresIn: tokens.ttlSeconds, user: userView(user) };
    res.json(body);
  });

  router.post('/logout', (_req, res) => {
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.get('/me', authenticate(tokens), async (_req, res) => {
    const user = await models.User.findById(identityOf(res).userId).lean<User>();
    if (!user || user.disabled) throw new NotFoundError('account not found');
    res.json(userView(user));
  });

  return router;
}
