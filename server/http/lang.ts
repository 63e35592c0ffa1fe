/**
 * The language a request wants the server's words in (an export's titles): `?lang=zh|en`,
 * which the client sends with its interface language, else the Accept-Language header;
 * Chinese by default.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { langOf } from '../../scheduler/text.ts';
import type { Lang } from '../../scheduler/text.ts';

/** The `lang` query parameter of a route that writes words into a file. */
export const LangQuery = z
  .enum(['zh', 'en'])
  .optional()
  .meta({ description: 'Language of the titles written (default: Accept-Language, else zh)' });

/** A query with nothing but the language (a download whose only choice it is). */
export const LangOnlyQuery = z.object({ lang: LangQuery });

/** The request's language when it names none in its query: Accept-Language, else Chinese. */
export function requestLang(req: Request): Lang {
  return langOf(req.headers['accept-language']);
}
