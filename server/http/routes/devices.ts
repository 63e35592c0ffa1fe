import { Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import { issueEnrolment } from '../../auth/enrolment.ts';
import { Scope } from '../../auth/Scope.ts';
import type { DeviceView, EnrolmentCode } from '../../contract/api.ts';
import { InvalidStateError, NotFoundError } from '../../errors.ts';
import type { Models, User } from '../../models/index.ts';
import type { AuditLog } from '../../resources/AuditLog.ts';
import { IdParams, objectId, withId } from '../../resources/Resource.ts';
import { MANAGERS } from '../../resources/schools.ts';
import { usersSpec } from '../../resources/users.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';

const DeviceParams = z.object({ id: objectId, deviceId: z.uuid() });

/**
 * Classroom devices: a manager generates a one-time enrolment code for a classroom account,
 * the whiteboard types it once (POST /api/auth/enrol) and keeps a device credential, which
 * the manager sees listed and can revoke (its sockets close at once).
 */
export function deviceRoutes(
  models: Models,
  auth: Authenticator,
  audit: AuditLog,
  table: RouteTable,
  now: () => number,
): Router {
  const router = Router();
  const mount = '/api/users';
  const access = { kind: 'roles' as const, roles: MANAGERS, scoped: true };
  const spec = usersSpec(models);

  /** The classroom account `id`, within the caller's scope. */
  const classroomAccount = async (scope: Scope, id: string): Promise<User> => {
    const restrict = await spec.scopeFilter(scope, models);
    const user = await models.User.findOne(withId(restrict, id)).lean<User>();
    if (!user) throw new NotFoundError(`users/${id} not found`);
    if (user.role !== 'classroom')
      throw new InvalidStateError('only classroom device accounts enrol devices');
    return user;
  };

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/:id/enrolment-code',
      summary: 'A one-time code (valid 24 h) that enrols a whiteboard as this classroom account',
      tag: 'Users',
      access,
      params: IdParams,
      status: 201,
    },
    authenticate(auth),
    allowRoles(...MANAGERS),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'id');
      const identity = identityOf(res);
      const user = await classroomAccount(await Scope.resolve(models, identity), id);
      const issued: EnrolmentCode = await issueEnrolment(models, id, identity.userId, now());
      await audit.record(identity, 'create', 'enrolment-codes', id, null, { userId: id }, null);
      res.status(201).json({ ...issued, username: user.username } satisfies EnrolmentCode);
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/:id/devices',
      summary: 'The devices enrolled as this classroom account and still signed in',
      tag: 'Users',
      access,
      params: IdParams,
    },
    authenticate(auth),
    allowRoles(...MANAGERS),
    async (req, res) => {
      const { id } = parseInput(IdParams, req.params, 'id');
      await classroomAccount(await Scope.resolve(models, identityOf(res)), id);
      const tokens = await models.RefreshToken.find({
        userId: id,
        kind: 'device',
        revokedAt: null,
        expiresAt: { $gt: new Date(now()) },
      })
        .sort({ _id: 1 })
        .lean();
      const byFamily = new Map<string, DeviceView>();
      for (const t of tokens) {
        // The family's newest live token says when the device was last seen.
        byFamily.set(t.familyId, {
          id: t.familyId,
          label: t.label ?? '',
          enrolledAt: (t.startedAt ?? t._id.getTimestamp()).toISOString(),
          lastSeenAt: t._id.getTimestamp().toISOString(),
          expiresAt: t.expiresAt.toISOString(),
        });
      }
      res.json({ items: [...byFamily.values()] });
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'delete',
      path: '/:id/devices/:deviceId',
      summary: 'Revoke an enrolled device: its credential stops working and its sockets close',
      tag: 'Users',
      access,
      params: DeviceParams,
      status: 204,
    },
    authenticate(auth),
    allowRoles(...MANAGERS),
    async (req, res) => {
      const { id, deviceId } = parseInput(DeviceParams, req.params, 'device');
      const identity = identityOf(res);
      await classroomAccount(await Scope.resolve(models, identity), id);
      if (!(await models.RefreshToken.exists({ userId: id, familyId: deviceId, kind: 'device' })))
        throw new NotFoundError(`device ${deviceId} not found`);
      await auth.sessions.closeFamily(id, deviceId, 'device-revoked');
      await audit.record(identity, 'delete', 'devices', id, { deviceId }, null, null);
      res.status(204).end();
    },
  );

  return router;
}
