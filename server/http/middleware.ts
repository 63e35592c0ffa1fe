import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role } from '../contract/api.ts';
import type { Authenticator } from '../auth/Authenticator.ts';
import type { Identity } from '../auth/tokens.ts';
import { tokenFromHeaders } from '../auth/tokens.ts';
import {
  ForbiddenError,
  MethodNotAllowedError,
  TooManyRequestsError,
  answerError,
  newRequestId,
} from '../errors.ts';
import type { Logger } from '../logger.ts';

/** The verified caller of a request that passed `authenticate`. */
export function identityOf(res: Response): Identity {
  return res.locals['identity'] as Identity;
}

/** Verifies the bearer token or cookie; 401 otherwise. */
export function authenticate(auth: Authenticator): RequestHandler {
  return async (req, res, next) => {
    res.locals['identity'] = await auth.verify(tokenFromHeaders(req.headers));
    next();
  };
}

/** Lets only the given roles through; 403 otherwise. */
export function allowRoles(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    if (!roles.includes(identityOf(res).role)) throw new ForbiddenError('your role may not do this');
    next();
  };
}

/**
 * Gives each request an id (`res.locals.requestId`, sent back as X-Request-Id), under which
 * the error handler logs a fault.
 */
export function requestId(): RequestHandler {
  return (_req, res, next) => {
    const id = newRequestId();
    res.locals['requestId'] = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/**
 * Answers an error: a named error with its status, code and message; a fault (anything
 * else, a TypeError from a bug included) logged under the request's id and answered 500 with
 * that id only.
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { status, body } = answerError(
      error,
      logger,
      { method: req.method, url: req.originalUrl },
      (res.locals['requestId'] as string | undefined) ?? newRequestId(),
    );
    if (error instanceof MethodNotAllowedError) res.setHeader('Allow', error.allow.join(', '));
    if (error instanceof TooManyRequestsError && error.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(status).json({ error: body });
  };
}
