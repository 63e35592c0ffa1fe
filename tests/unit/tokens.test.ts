import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { TOKEN_COOKIE, TokenService, tokenFromHeaders } from '../../server/auth/tokens.ts';
import { UnauthorizedError } from '../../server/errors.ts';

const SECRET = 'x'.repeat(40);
const identity = {
  userId: '6b066e1d52de6002d63546c5',
  role: 'classroom' as const,
  displayName: '四年级',
  classroomId: 'c1',
  sessionId: 's1',
};

describe('TokenService', () => {
  it('verify() returns the identity that sign() put in', () => {
    const tokens = new TokenService(SECRET, 60);
    const before = Date.now();
    const { expiresAt, ...rest } = tokens.verify(tokens.sign({ ...identity, authVersion: 3 }));
    expect(rest).toEqual({ ...identity, authVersion: 3 });
    // jwt's exp has a resolution of a second.
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('verify() rejects a token signed with another secret, an expired one and garbage with UnauthorizedError', () => {
    const tokens = new TokenService(SECRET, 60);
    const forged = new TokenService('y'.repeat(40), 60).sign(identity);
    const expired = jwt.sign(
      { role: 'teacher', name: 'a', cid: null, exp: Math.floor(Date.now() / 1000) - 10 },
      SECRET,
      {
        subject: 'u',
      },
    );
    expect(() => tokens.verify(forged)).toThrow(UnauthorizedError);
    expect(() => tokens.verify(expired)).toThrow('session expired');
    expect(() => tokens.verify('not.a.token')).toThrow(UnauthorizedError);
    expect(() => tokens.verify(undefined)).toThrow(UnauthorizedError);
  });

  it('verify() rejects a validly signed token whose claims are not ours', () => {
    const tokens = new TokenService(SECRET, 60);
    const odd = jwt.sign({ role: 'superuser', name: 'a', cid: null }, SECRET, { subject: 'u' });
    expect(() => tokens.verify(odd)).toThrow('invalid token');
  });

  it('verify() refuses the "none" algorithm', () => {
    const tokens = new TokenService(SECRET, 60);
    const unsigned = jwt.sign({ role: 'admin', name: 'a', cid: null }, '', {
      algorithm: 'none',
      subject: 'u',
    });
    expect(() => tokens.verify(unsigned)).toThrow(UnauthorizedError);
  });
});

describe('tokenFromHeaders', () => {
  it('prefers a bearer token, else reads the cookie', () => {
    expect(tokenFromHeaders({ authorization: 'Bearer abc', cookie: `${TOKEN_COOKIE}=def` })).toBe('abc');
    expect(tokenFromHeaders({ cookie: `a=1; ${TOKEN_COOKIE}=def; b=2` })).toBe('def');
    expect(tokenFromHeaders({ authorization: 'Basic abc' })).toBeUndefined();
    expect(tokenFromHeaders({})).toBeUndefined();
  });
});
