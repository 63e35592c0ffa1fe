/**
 * The language a request wants the server's words in (an export's titles): `?lang=zh|en`,
 * which the client sends with its interface language, else the Accept-Language header;
 * Chinese by default.
 */
import type { Request } from 'express';
import { z } from 'zod';
import type { Lang } from '../../scheduler/text.ts';

/** The `lang` query parameter of a route that writes words into a file. */
export const LangQuery = z
  .enum(['zh', 'en'])
  .optional()
  .meta({ description: 'Language of the titles written (default: Accept-Language, else zh)' });

/** A query with nothing but the language (a download whose only choice it is). */
export const LangOnlyQuery = z.object({ lang: LangQuery });

/**
 * The request's language when it names none in its query: English when the Accept-Language
 * header's first choice is English (en, en-GB, …), else Chinese.
 */
export function requestLang(req: Request): Lang {
  const first = req.headers['accept-language']?.split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? '';
  return first === 'en' || first.startsWith('en-') ? 'en' : 'zh';
}
