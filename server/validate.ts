import { z } from 'zod';
import { ValidationError } from './errors.ts';
import type { FieldIssue } from './errors.ts';

/** zod's own sentences in Chinese, for the `text` of a field problem (its English is zod's default). */
const ZH = z.locales.zhCN().localeError;

/**
 * Parses `input` with `schema`, or throws a ValidationError listing every field problem, each
 * in both languages: zod's words (or the schema's own message, the same in both) in English,
 * and in Chinese from a second parse with zod's Chinese locale (only when the first fails).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // The same schema and input fail the same way: the Chinese issues line up with the English.
  const zh = schema.safeParse(input, { error: ZH }).error?.issues ?? [];
  const issues: FieldIssue[] = result.error.issues.map((i, n) => ({
    path: i.path.join('.') || '(root)',
    message: i.message,
    text: { zh: zh[n]?.message ?? i.message, en: i.message },
  }));
  throw new ValidationError(
    `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
}
