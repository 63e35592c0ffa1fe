import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../server/errors.ts';
import { parseInput } from '../../server/validate.ts';

const HAN = /\p{Script=Han}/u;

describe('parseInput: field problems in both languages', () => {
  it('words each of zod’s problems in Chinese and English, in the same order; a schema’s own message stays as written', () => {
    const schema = z.object({
      name: z.string().min(2),
      count: z.number().max(3),
      code: z.string().refine((v) => v === 'ok', 'code must be ok'),
    });
    let error: unknown;
    try {
      parseInput(schema, { name: 'a', count: 5, code: 'no' }, 'body');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => i.path)).toEqual(['name', 'count', 'code']);
    expect(issues[0]?.text?.zh).toMatch(HAN);
    expect(issues[1]?.text?.zh).toMatch(HAN);
    for (const issue of issues) {
      expect(issue.text?.en).toBe(issue.message);
      expect(issue.text?.en).not.toMatch(HAN);
    }
    expect(issues[2]?.text).toEqual({ zh: 'code must be ok', en: 'code must be ok' });
  });

  it('returns the parsed value when the input fits', () => {
    expect(parseInput(z.object({ n: z.number() }), { n: 1 }, 'body')).toEqual({ n: 1 });
  });
});
