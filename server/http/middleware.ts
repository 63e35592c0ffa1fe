import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role } from '../contract/api.ts';
import type { Authenticator } from '../auth/Authenticator.ts';
import type { Identity } from '../auth/tokens.ts';
import { tokenFromHeaders } from '../auth/tokens.ts';
import {
  ForbiddenError,
  MethodNotAllowedError,
  TooManyRequestsError,
  httpStatusOf,
  publicError,
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

/** Maps named errors to statuses and a JSON body; hides internal errors. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let status = httpStatusOf(error);
    let body = publicError(error);
    // express.json() reports malformed bodies as errors with a status.
    const bodyError = error as { type?: string; status?: number; message?: string };
    if (status === 500 && bodyError.type && bodyError.status && bodyError.status < 500) {
      status = bodyError.status;
      body = {
        name: 'ValidationError',
        message: `invalid request body: ${bodyError.message ?? bodyError.type}`,
      };
    }
    if (status >= 500)
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    if (error instanceof MethodNotAllowedError) res.setHeader('Allow', error.allow.join(', '));
    if (error instanceof TooManyRequestsError && error.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(status).json({ error: body });
  };
}
