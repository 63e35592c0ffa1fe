import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSide } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

describe('bad input gets a clear 4xx and changes nothing', () => {
  let t: TestPlatform;
  let admin: string;
  let side: Side;
  const counts = async (): Promise<number[]> => {
    const m = t.platform.models;
    return Promise.all([
      m.School.countDocuments(),
      m.User.countDocuments(),
      m.Cluster.countDocuments(),
      m.AuditEntry.countDocuments({ action: { $ne: 'login' } }),
    ]);
  };
  const send = async (method: string, path: string, body: string, contentType = 'application/json') => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': contentType },
      body,
    });
    return {
      status: res.status,
      body: (await res.json()) as { error: { name: string; message: string; issues?: { path: string }[] } },
    };
  };

  beforeAll(async () => {
    t = await startPlatform();
    admin = await login(t.url, 'admin');
    side = await demoSide(t.platform.models);
  });
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('malformed JSON → 400 ValidationError', async () => {
    const before = await counts();
    const res = await send('POST', '/api/schools', '{"name": "半截');
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(await counts()).toEqual(before);
  });

  it('wrong types → 400 naming every bad field', async () => {
    const before = await counts();
    const res = await send(
      'POST',
      '/api/schools',
      JSON.stringify({ name: 42, regionCode: '43072', kind: 'castle', downlinkMbps: 'fast', uplinkMbps: -1 }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.issues?.map((i) => i.path).sort()).toEqual([
      'downlinkMbps',
      'kind',
      'name',
      'regionCode',
      'uplinkMbps',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('injection-shaped values are refused, not run as queries', async () => {
    const before = await counts();
    const operator = await send(
      'PATCH',
      `/api/schools/${side.schoolId}`,
      JSON.stringify({ name: { $gt: '' } }),
    );
    expect(operator.status).toBe(400);
    const loginRes = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: { $gt: '' }, password: { $gt: '' } }),
    });
    expect(loginRes.status).toBe(400);
    const where = await send(
      'POST',
      '/api/classrooms',
      JSON.stringify({ schoolId: { $where: 'sleep(1000)' }, name: 'x', kind: 'receiving' }),
    );
    expect(where.status).toBe(400);
    // As query parameters they are only strings: nothing matches, nothing leaks.
    const query = await fetch(
      `${t.url}/api/schools?name=${encodeURIComponent('{"$gt":""}')}&regionCode[$regex]=.*`,
      {
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    expect([200, 400]).toContain(query.status);
    if (query.status === 200) expect(((await query.json()) as { total: number }).total).toBe(0);
    expect(await counts()).toEqual(before);
  });

  it('a huge body → 413, an unknown id shape → 400, unknown fields are ignored (no mass assignment)', async () => {
    const before = await counts();
    const huge = await send('POST', '/api/schools', JSON.stringify({ name: 'x'.repeat(400_000) }));
    expect(huge.status).toBe(413);
    expect((await send('PATCH', '/api/schools/not-an-id', '{}')).status).toBe(400);
    expect(await counts()).toEqual(before);

    const created = await send(
      'POST',
      '/api/users',
      JSON.stringify({
        username: 'mass.assign',
        realName: '测试',
        role: 'teacher',
        schoolId: side.hubSchoolId,
        initialPassword: 'long-enough-1',
        passwordHash: 'i-set-my-own-hash',
        createdAt: '1999-01-01',
      }),
    );
    expect(created.status).toBe(201);
    const stored = await t.platform.models.User.findOne({ username: 'mass.assign' }).lean();
    expect(stored?.passwordHash).not.toBe('i-set-my-own-hash');
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$/);
    expect(JSON.stringify(created.body)).not.toContain('passwordHash');
  });

  it('every write is in the audit log with before and after, without password hashes', async () => {
    const res = await send(
      'PATCH',
      `/api/classrooms/${side.classroomId}`,
      JSON.stringify({ hasWhiteboard: false }),
    );
    expect(res.status).toBe(200);
    const audit = await fetch(`${t.url}/api/admin/audit?entity=classrooms&entityId=${side.classroomId}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const { items } = (await audit.json()) as {
      items: { action: string; before: { hasWhiteboard: boolean }; after: { hasWhiteboard: boolean } }[];
    };
    expect(items[0]).toMatchObject({
      action: 'update',
      before: { hasWhiteboard: true },
      after: { hasWhiteboard: false },
    });
    const users = await t.platform.models.AuditEntry.find({ entity: 'users' }).lean();
    expect(JSON.stringify(users)).not.toContain('$2');
  });
});
