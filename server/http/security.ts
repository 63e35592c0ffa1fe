import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { ForbiddenError } from '../errors.ts';
import { REFRESH_COOKIE, TOKEN_COOKIE } from '../auth/tokens.ts';

/**
 * Browser hardening, by helmet (kept by the express community, and tracking what browsers
 * honour better than a hand-written header list): a Content-Security-Policy without inline
 * scripts, no framing by other sites, nosniff, a strict referrer policy; HSTS only when the
 * request came over TLS (a plain-HTTP school intranet must not be pinned to HTTPS).
 */
export function securityHeaders(): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // pdf.js decodes some images with WebAssembly.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'mediastream:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  return (req, res, next) => {
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    headers(req, res, next);
  };
}

/**
 * Whether a browser's `Origin` may call this server: the server's own origin (as the
 * browser addressed it: the Host header, or X-Forwarded-Host/-Proto from a proxy on
 * loopback) or one of `allowed`. A request without Origin is not from a cross-site page.
 */
export function originAllowed(
  req: IncomingMessage,
  allowed: readonly string[],
  trustProxy: boolean,
): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  const forwardedHost = trustProxy ? firstValue(req.headers['x-forwarded-host']) : undefined;
  const host = forwardedHost ?? req.headers.host;
  if (!host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.host === host.toLowerCase();
}

const firstValue = (v: string | string[] | undefined): string | undefined =>
  (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim() || undefined;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGN_IN_PATHS = new Set(['/api/auth/login', '/api/auth/password', '/api/auth/enrol']);

/**
 * Cross-site request forgery defence for the API, beyond SameSite=Lax cookies: a
 * state-changing request from a foreign Origin is refused, and one authenticated by a
 * cookie (no Authorization header) must carry `X-Requested-With`, a header a cross-site
 * form cannot send and a cross-site script cannot add without a CORS preflight that this
 * server never grants.
 */
export function csrfGuard(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const trust = req.app.get('trust proxy fn') as ((address: string, hop: number) => boolean) | undefined;
    const trustProxy = trust?.(req.socket.remoteAddress ?? '', 0) === true;
    if (!originAllowed(req, allowed, trustProxy))
      throw Object.assign(new ForbiddenError('cross-origin request refused'), { code: 'CROSS_ORIGIN' });
    const cookie = req.headers.cookie ?? '';
    // Signing in reads no cookie (a stale one rides along): only the Origin check applies.
    const byCookie =
      !SIGN_IN_PATHS.has(req.originalUrl.split('?')[0] ?? '') &&
      !req.headers.authorization &&
      (cookie.includes(`${TOKEN_COOKIE}=`) || cookie.includes(`${REFRESH_COOKIE}=`));
    if (byCookie && !req.headers['x-requested-with'])
      throw Object.assign(
        new ForbiddenError('a request signed in by cookie needs the X-Requested-With header'),
        {
          code: 'CSRF',
        },
      );
    next();
  };
}
