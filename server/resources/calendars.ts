import type { Model } from 'mongoose';
import { z } from 'zod';
import { ForbiddenError, ValidationError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { nonBlank, objectId, plainView } from './Resource.ts';
import type { ResourceSpec } from './Resource.ts';
import { MANAGERS } from './schools.ts';
import { bySchoolInScope, regionOfSchool, schoolInScope } from './scoping.ts';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const period = z
  .object({
    period: z.number().int().min(1).max(15),
    start: time,
    end: time,
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  })
  .refine((p) => p.start < p.end, { message: 'a period ends after it starts', path: ['end'] })
  .meta({ description: 'end is later than start' });

/** Periods of one school on one weekday must not overlap, and a period number appears once a day. */
const periods = z
  .array(period)
  .min(1)
  .max(100)
  .meta({ description: 'periods sharing a weekday neither overlap nor repeat a period number' })
  .superRefine((list, ctx) => {
    for (let i = 0; i < list.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = list[i]!;
        const b = list[j]!;
        const shared = a.weekdays.filter((d) => b.weekdays.includes(d));
        if (!shared.length) continue;
        if (a.period === b.period)
          ctx.addIssue({
            code: 'custom',
            message: `period ${a.period} appears twice on weekday ${shared[0]}`,
            path: [i, 'period'],
          });
        else if (a.start < b.end && b.start < a.end)
          ctx.addIssue({
            code: 'custom',
            message: `overlaps period ${b.period} on weekday ${shared[0]}`,
            path: [i, 'start'],
          });
      }
    }
  });

const bellFields = { schoolId: objectId, name: nonBlank(50), periods };

/** Bell schedules (作息时间表), one per school. */
export function bellSchedulesSpec(models: Models): ResourceSpec {
  return {
    name: 'bell-schedules',
    title: 'Bell schedules',
    model: models.BellSchedule as unknown as Model<never>,
    create: z.object(bellFields),
    update: z.object(bellFields).partial(),
    filters: z.object({ schoolId: objectId.optional() }),
    roles: { read: MANAGERS, create: MANAGERS, update: MANAGERS, remove: MANAGERS },
    scopeFilter: (scope, m) => bySchoolInScope(scope, m),
    toFilter: (f) => (f['schoolId'] ? { schoolId: f['schoolId'] } : {}),
    async authorizeWrite(scope, m, next) {
      await schoolInScope(scope, m, next['schoolId']);
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc, m) => regionOfSchool(m, doc['schoolId']),
  };
}

const calendarFields = {
  name: nonBlank(100),
  regionCode: z.string().regex(/^\d{6}$/),
  term: z.string().regex(/^\d{4}-\d{4}-[12]$/, 'term like 2026-2027-1'),
  start: date,
  end: date,
  holidays: z
    .array(z.object({ from: date, to: date, name: nonBlank(50) }))
    .max(100)
    .default([]),
  makeupDays: z
    .array(z.object({ date, followsWeekday: z.number().int().min(1).max(5) }))
    .max(50)
    .default([]),
};

const termInOrder = (c: { start: string; end: string }): boolean => c.start <= c.end;
const TERM_RULE = 'end is not before start (as stored, after an update too)';

/** Term calendars: term dates, holidays, make-up working days (调休). */
export function termCalendarsSpec(models: Models): ResourceSpec {
  return {
    name: 'term-calendars',
    title: 'Term calendars',
    model: models.TermCalendar as unknown as Model<never>,
    create: z
      .object(calendarFields)
      .refine(termInOrder, { message: 'the term ends after it starts', path: ['end'] })
      .meta({ description: TERM_RULE }),
    update: z.object(calendarFields).partial().meta({ description: TERM_RULE }),
    filters: z.object({
      regionCode: z
        .string()
        .regex(/^\d{2,6}$/)
        .optional(),
      term: calendarFields.term.optional(),
    }),
    roles: {
      read: MANAGERS,
      create: ['admin', 'bureau'],
      update: ['admin', 'bureau'],
      remove: ['admin', 'bureau'],
    },
    scopeFilter(scope) {
      if (scope.isAdmin) return Promise.resolve(null);
      const prefixes = scope.regionPrefix ? [scope.regionPrefix] : scope.clusterRegions;
      // A calendar set for a city or the province applies to the counties under it too.
      if (!prefixes.length) return Promise.resolve({ regionCode: '-' });
      return Promise.resolve({
        $or: prefixes.map((p) => ({
          regionCode: { $regex: `^(${p}|${p.slice(0, 4)}00|${p.slice(0, 2)}0000)` },
        })),
      });
    },
    toFilter: (f) => ({
      ...(f['regionCode'] ? { regionCode: { $regex: `^${f['regionCode'] as string}` } } : {}),
      ...(f['term'] ? { term: f['term'] } : {}),
    }),
    authorizeWrite(scope, _m, next) {
      if (!scope.coversRegion(next['regionCode'] as string))
        throw new ForbiddenError('this region is outside yours');
      // An update sends part of the record: the rule holds for the record as it would be stored.
      if (!termInOrder({ start: String(next['start']), end: String(next['end']) }))
        throw new ValidationError('the term ends after it starts', [
          { path: 'end', message: 'before start' },
        ]);
      return Promise.resolve();
    },
    toView: (doc) => plainView(doc),
    regionOf: (doc) => Promise.resolve((doc['regionCode'] as string) ?? null),
  };
}

const regionFields = {
  code: z.string().regex(/^\d{6}$/),
  name: nonBlank(50),
  level: z.enum(['province', 'city', 'county']),
  parentCode: z
    .string()
    .regex(/^\d{6}$/)
    .nullable()
    .default(null),
};

/** Administrative regions: read by every manager, written by admins. */
export function regionsSpec(models: Models): ResourceSpec {
  return {
    name: 'regions',
    title: 'Regions',
    model: models.Region as unknown as Model<never>,
    create: z.object(regionFields),
    update: z.object(regionFields).partial(),
    filters: z.object({ parentCode: regionFields.code.optional(), level: regionFields.level.optional() }),
    roles: { read: MANAGERS, create: ['admin'], update: ['admin'], remove: ['admin'] },
    scopeFilter: () => Promise.resolve(null),
    toFilter: (f) => ({
      ...(f['parentCode'] ? { parentCode: f['parentCode'] } : {}),
      ...(f['level'] ? { level: f['level'] } : {}),
    }),
    authorizeWrite: () => Promise.resolve(),
    toView: (doc) => plainView(doc),
    regionOf: (doc) => Promise.resolve((doc['code'] as string) ?? null),
  };
}
