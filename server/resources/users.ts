import type { Model } from 'mongoose';
import { z } from 'zod';
import { hashPassword } from '../auth/passwords.ts';
import type { Role } from '../contract/api.ts';
import type { EndReason } from '../auth/SessionService.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { ROLES } from '../models/index.ts';
import { busyPeriods, nonBlank, objectId, plainView } from './Resource.ts';
import type { Doc, ResourceSpec } from './Resource.ts';
import { MANAGERS } from './schools.ts';
import { regionOfSchool, schoolInScope, toId } from './scoping.ts';

/** Roles bound to a school (they need schoolId). */
const SCHOOL_ROLES: readonly Role[] = ['school', 'teacher', 'classroom', 'assistant'];

const fields = {
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{3,32}$/, '3–32 of a-z 0-9 . _ -'),
  realName: nonBlank(50),
  phone: z
    .string()
    .regex(/^1\d{10}$/, 'an 11-digit mobile number')
    .nullable()
    .optional(),
  role: z.enum(ROLES),
  regionCode: z
    .string()
    .regex(/^\d{6}$/)
    .nullable()
    .optional(),
  schoolId: objectId.nullable().optional(),
  classroomId: objectId.nullable().optional(),
  subjects: z.array(nonBlank(20)).max(10).default([]),
  disabled: z.boolean().default(false),
  busy: busyPeriods.optional(),
};
const password = z.string().min(8, 'at least 8 characters').max(128);

const isActiveAdmin = (user: Record<string, unknown>): boolean =>
  user['role'] === 'admin' && !user['disabled'];

/** @throws ConflictError when `user` is the last enabled admin (nobody could manage the platform). */
async function keepAnAdmin(models: Models, user: Doc): Promise<void> {
  const others = await models.User.countDocuments({
    role: 'admin',
    disabled: { $ne: true },
    _id: { $ne: user._id },
  });
  if (others === 0) throw new ConflictError('the last enabled admin account must stay an enabled admin');
}

/** Whether (and why) a write to an account must end its sessions at once. */
export function sessionsEndFor(before: Doc | null, after: Doc | null): EndReason | null {
  if (!before) return null;
  if (!after) return 'deleted';
  if (after['disabled'] && !before['disabled']) return 'disabled';
  if (after['passwordHash'] !== before['passwordHash']) return 'password';
  if (after['role'] !== before['role']) return 'role';
  const text = (v: unknown): string => (v as { toString(): string } | null | undefined)?.toString() ?? '';
  const same = (key: string): boolean => text(after[key]) === text(before[key]);
  if (!same('regionCode') || !same('schoolId') || !same('classroomId')) return 'scope';
  return null;
}

const USER_RULES =
  'teacher, classroom and assistant accounts need schoolId (a school in your scope; classroomId in that ' +
  'school); bureau accounts need regionCode; initialPassword is one-time: its owner sets their own at ' +
  'first sign-in, and setting it ends every session of the account';

/** Real-name accounts and their roles. */
export function usersSpec(models: Models): ResourceSpec {
  return {
    name: 'users',
    title: 'Users',
    model: models.User as unknown as Model<never>,
    create: z.object({ ...fields, initialPassword: password }).meta({ description: USER_RULES }),
    update: z
      .object({ ...fields, initialPassword: password })
      .partial()
      .meta({ description: USER_RULES }),
    filters: z.object({ role: fields.role.optional(), schoolId: objectId.optional() }),
    transient: ['initialPassword'],
    roles: { read: MANAGERS, create: MANAGERS, update: MANAGERS, remove: ['admin', 'bureau'] },
    async scopeFilter(scope, m) {
      if (scope.isAdmin) return null;
      const schools = await scope.schoolIdsIn(m);
      const inSchools = { schoolId: { $in: schools === 'all' ? [] : schools } };
      if (scope.regionPrefix)
        return { $or: [inSchools, { regionCode: { $regex: `^${scope.regionPrefix}` } }] };
      return { ...inSchools, role: { $in: SCHOOL_ROLES } };
    },
    toFilter: (f) => ({
      ...(f['role'] ? { role: f['role'] } : {}),
      ...(f['schoolId'] ? { schoolId: f['schoolId'] } : {}),
    }),
    async authorizeWrite(scope, m, next, existing) {
      const role = next['role'] as Role;
      if (existing && String(existing._id) === scope.userId && role !== scope.role) {
        throw new ForbiddenError('you cannot change your own role');
      }
      if (existing && String(existing._id) === scope.userId && next['disabled'] === true) {
        throw new ForbiddenError('you cannot disable your own account');
      }
      if (existing && isActiveAdmin(existing) && !isActiveAdmin(next)) await keepAnAdmin(m, existing);
      if (role === 'admin' && !scope.isAdmin) throw new ForbiddenError('only an admin creates admins');
      if (scope.role === 'coordinator' && !SCHOOL_ROLES.includes(role)) {
        throw new ForbiddenError('coordinators manage teacher, classroom and assistant accounts only');
      }
      if (role === 'bureau' || role === 'inspector') {
        if (!next['regionCode'])
          throw new ValidationError(`a ${role} account needs regionCode`, [
            { path: 'regionCode', message: 'required' },
          ]);
        if (!scope.coversRegion(next['regionCode'] as string))
          throw new ForbiddenError('this region is outside yours');
      }
      if (SCHOOL_ROLES.includes(role)) {
        if (!next['schoolId'])
          throw new ValidationError(`a ${role} account needs schoolId`, [
            { path: 'schoolId', message: 'required' },
          ]);
        const school = await schoolInScope(scope, m, next['schoolId']);
        const room = toId(next['classroomId']);
        if (room && !(await m.Classroom.exists({ _id: room, schoolId: school._id })))
          throw new NotFoundError('classroom not found in this school');
      }
      const initial = next['initialPassword'];
      if (typeof initial === 'string' && (!existing || initial !== existing['initialPassword'])) {
        // Handed out by a manager: the owner sets their own at first login, and a reset
        // ends every session the account had (afterWrite).
        return { passwordHash: await hashPassword(initial), mustChangePassword: true, demo: false };
      }
    },
    async beforeDelete(m, existing, scope) {
      if (String(existing._id) === scope.userId)
        throw new ForbiddenError('you cannot delete your own account');
      if (isActiveAdmin(existing)) await keepAnAdmin(m, existing);
    },
    async afterWrite({ before, after }, sessions) {
      const reason = sessionsEndFor(before, after);
      if (reason && before) await sessions.endAll(String(before._id), reason);
    },
    toView: (doc) => plainView(doc, ['passwordHash']),
    regionOf: async (doc, m) =>
      (doc['regionCode'] as string | null) ?? (await regionOfSchool(m, doc['schoolId'])),
  };
}
