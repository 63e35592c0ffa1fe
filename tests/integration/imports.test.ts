import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportRowError } from '../../server/contract/api.ts';
import type { Text } from '../../server/contract/text.ts';
import { demoSide, foreignSide, unique } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

interface ImportBody {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  byKind: Record<string, { rows: number; created: number; updated: number }>;
  errors: ImportRowError[];
  credentials: { username: string; realName: string; password: string }[];
  error?: { rows: unknown[]; message: string; text?: Text };
}

/** Fills a downloaded template's sheets (by name) with rows, as a coordinator would in Excel. */
async function fill(template: Buffer, rows: Record<string, unknown[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ExcelJS.Buffer);
  for (const [sheet, values] of Object.entries(rows))
    for (const row of values) wb.getWorksheet(sheet)!.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('Excel and CSV import and export of a cluster', () => {
  let t: TestPlatform;
  let coordinator: string;
  let demo: Side;
  let foreign: Side;
  let clusterId: string;
  let suffix: string;

  const http = async (token: string, method: string, path: string, body?: Buffer) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      ...(body ? { body: new Uint8Array(body) } : {}),
    });
    return res;
  };
  const upload = async (kind: string, file: Buffer, query: string, token = coordinator) => {
    const res = await http(token, 'POST', `/api/import/${kind}?clusterId=${clusterId}&${query}`, file);
    return { status: res.status, body: (await res.json()) as ImportBody };
  };
  const download = async (path: string): Promise<Buffer> => {
    const res = await http(coordinator, 'GET', path);
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  /** Counts of everything an import can touch. */
  const counts = async (): Promise<number[]> => {
    const m = t.platform.models;
    const cluster = await m.Cluster.findById(clusterId).lean();
    return [
      ...(await Promise.all([
        m.School.countDocuments(),
        m.Classroom.countDocuments(),
        m.TeachingClass.countDocuments(),
        m.User.countDocuments(),
        m.BellSchedule.countDocuments(),
      ])),
      cluster!.hubSchoolIds.length + cluster!.memberSchoolIds.length,
    ];
  };

  beforeAll(async () => {
    t = await startPlatform();
    const m = t.platform.models;
    demo = await demoSide(m);
    foreign = await foreignSide(m);
    const coordinatorUser = (await m.User.findOne({ username: 'coordinator' }).lean())!;
    // An empty county cluster, as the bureau creates it before the coordinator fills it in.
    const cluster = await m.Cluster.create({
      name: unique('桃源县陬市镇音乐联校群'),
      level: 'county',
      mode: '1+N',
      regionCode: '430725',
      hubSchoolIds: [],
      memberSchoolIds: [],
      coordinatorIds: [coordinatorUser._id],
    });
    clusterId = cluster._id.toString();
    coordinator = await login(t.url, 'coordinator');
    suffix = Date.now().toString(36);
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  const clusterRows = (): Record<string, unknown[][]> => ({
    学校: [
      [`陬市中心小学${suffix}`, 430725, '主讲学校', 100, 50],
      [`黄甲铺小学${suffix}`, '430725', '乡村学校', 6, 2],
      [`双溪口教学点${suffix}`, '430725', '教学点', 4, 1],
    ],
    教室: [
      [`陬市中心小学${suffix}`, '录播教室', '录播教室', '是', `zs.rec.${suffix}`],
      [`黄甲铺小学${suffix}`, '三年级教室', '接收教室', '是', `hjp.3.${suffix}`],
      [`双溪口教学点${suffix}`, '复式教室', '接收教室', '否', `sxk.1.${suffix}`],
    ],
    教学班: [
      [`黄甲铺小学${suffix}`, '三年级', '三年级1班', 23],
      [`双溪口教学点${suffix}`, 3, '三四年级复式班', 9],
    ],
    教师: [[`music.${suffix}`, '周敏', '13900000001', `陬市中心小学${suffix}`, '音乐、美术']],
    作息时间: [
      [`陬市中心小学${suffix}`, 1, '08:00', '08:40', '1-5'],
      [`陬市中心小学${suffix}`, 2, '08:50', '09:30', '1-5'],
      [`黄甲铺小学${suffix}`, 1, '08:10', '08:50', '周一至周五'],
      [`黄甲铺小学${suffix}`, 2, '09:00', '09:40', '周一至周五'],
    ],
  });

  it('builds a 1+N cluster from one workbook: dry run writes nothing, the import creates it all and hands out passwords', async () => {
    const template = await download('/api/import/cluster/template');
    const file = await fill(template, clusterRows());
    const before = await counts();

    const check = await upload('cluster', file, 'dryRun=true');
    expect(check.status).toBe(200);
    expect(check.body.errors).toEqual([]);
    expect(check.body.byKind['schools']).toEqual({ rows: 3, created: 3, updated: 0 });
    expect(check.body.credentials).toEqual([]);
    expect(await counts()).toEqual(before);

    const done = await upload('cluster', file, 'dryRun=false');
    expect(done.status).toBe(200);
    expect(done.body.rows).toBe(13);
    // Schools, classrooms (their device accounts go with them), classes, the teacher, bell schedules.
    expect(done.body.created).toBe(3 + 3 + 2 + 1 + 2);
    expect(done.body.credentials.map((c) => c.username).sort()).toEqual(
      [`hjp.3.${suffix}`, `music.${suffix}`, `sxk.1.${suffix}`, `zs.rec.${suffix}`].sort(),
    );
    // 3 schools, 3 classrooms, 2 classes, 4 accounts, 2 bell schedules; all 3 schools in the cluster.
    expect(await counts()).toEqual(before.map((n, i) => n + [3, 3, 2, 4, 2, 3][i]!));

    const m = t.platform.models;
    const cluster = (await m.Cluster.findById(clusterId).lean())!;
    const hub = (await m.School.findOne({ name: `陬市中心小学${suffix}` }).lean())!;
    expect(cluster.hubSchoolIds.map(String)).toEqual([hub._id.toString()]);
    expect(cluster.memberSchoolIds).toHaveLength(2);
    expect((await m.BellSchedule.findById(hub.bellScheduleId).lean())!.periods).toHaveLength(2);
    const room = (await m.Classroom.findOne({ schoolId: cluster.memberSchoolIds[0] }).lean())!;
    const device = (await m.User.findById(room.deviceUserId).lean())!;
    expect(device).toMatchObject({ role: 'classroom', realName: `黄甲铺小学${suffix}三年级教室` });
    expect(device.classroomId?.toString()).toBe(room._id.toString());

    // The handed-out passwords are one-time: each opens only the form to set one's own, and
    // after that the new password signs in and the handed-out one no longer does.
    for (const { username, password } of done.body.credentials) {
      await expect(login(t.url, username, password)).rejects.toThrow('PASSWORD_CHANGE_REQUIRED');
      const own = `own-${password}`;
      const changed = await fetch(`${t.url}/api/auth/password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, currentPassword: password, newPassword: own }),
      });
      expect(changed.status).toBe(200);
      expect(await login(t.url, username, own)).toBeTruthy();
      await expect(login(t.url, username, password)).rejects.toThrow('401');
    }

    const audit = await m.AuditEntry.findOne({ action: 'import', entityId: clusterId }).lean();
    expect(audit?.after).toMatchObject({ kind: 'cluster', created: 11 });
  });

  it('round-trips: an export imports back with nothing to change, as xlsx and as CSV', async () => {
    const workbook = await download(`/api/export/cluster?clusterId=${clusterId}`);
    const again = await upload('cluster', workbook, 'dryRun=false');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ rows: 13, created: 0, updated: 0, errors: [] });
    for (const kind of ['schools', 'classrooms', 'classes', 'teachers', 'bellSchedules']) {
      const csv = await download(`/api/export/${kind}?clusterId=${clusterId}&format=csv`);
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const back = await upload(kind, csv, 'format=csv&dryRun=false');
      expect({ kind, status: back.status, created: back.body.created, updated: back.body.updated }).toEqual({
        kind,
        status: 200,
        created: 0,
        updated: 0,
      });
    }
  });

  it('updates what changed: a class grows, a school gets a faster link', async () => {
    const file = await fill(await download('/api/import/cluster/template'), {
      学校: [[`黄甲铺小学${suffix}`, '430725', '乡村学校', 20, 10]],
      教学班: [[`黄甲铺小学${suffix}`, 3, '三年级1班', 25]],
    });
    const res = await upload('cluster', file, 'dryRun=false');
    expect(res.body).toMatchObject({ created: 0, updated: 2, errors: [] });
    const m = t.platform.models;
    expect((await m.School.findOne({ name: `黄甲铺小学${suffix}` }).lean())!.downlinkMbps).toBe(20);
  });

  it('a workbook with one bad row imports nothing, and says where every problem is', async () => {
    const rows = clusterRows();
    rows['教室']!.push([`黄甲铺小学${suffix}`, '四年级教室', '接收教室', '是', 'classroom1']);
    rows['教学班']!.push([`不存在的小学${suffix}`, 4, '四年级1班', 30]);
    rows['教师']!.push([`new.teacher.${suffix}`, '新老师', '1390000000X', `黄甲铺小学${suffix}`, '语文']);
    rows['学校']!.push([`新建小学${suffix}`, '430725', '乡村学校', 8, 2]);
    const file = await fill(await download('/api/import/cluster/template'), rows);
    const before = await counts();
    const res = await upload('cluster', file, 'dryRun=false');
    expect(res.status).toBe(400);
    expect(res.body.error?.rows).toHaveLength(3);
    expect(res.body.errors.map((e) => [e.sheet, e.row, e.column?.zh])).toEqual([
      ['教师', 3, '手机'],
      ['教室', 5, '设备账号'],
      ['教学班', 4, '学校名称'],
    ]);
    expect(res.body.errors[1]!.message.zh).toContain('已被其他账号使用');
    // What an English-mode user reads: columns and problems in English.
    expect(res.body.errors.map((e) => [e.column?.en, e.message.en])).toEqual([
      ['Phone', 'should be an 11-digit mobile number'],
      ['Device account', 'username classroom1 is taken by another account'],
      ['School', `this cluster has no school named “不存在的小学${suffix}”`],
    ]);
    expect(res.body.error?.text).toEqual({
      zh: '发现 3 处问题，未导入任何内容',
      en: '3 problems; nothing was imported',
    });
    expect(await counts()).toEqual(before);
    expect(await t.platform.models.School.exists({ name: `新建小学${suffix}` })).toBeNull();
  });

  it('keeps a 1+N cluster to one hub school', async () => {
    const csv = Buffer.from(
      `\uFEFF学校名称,区划代码,学校类型,下行带宽(Mbit/s),上行带宽(Mbit/s)\r\n第二主讲校${suffix},430725,主讲学校,100,50\r\n`,
    );
    const res = await upload('schools', csv, 'format=csv&dryRun=true');
    expect(res.body.errors.map((e) => [e.row, e.column?.zh, e.message.en])).toEqual([
      [2, '学校类型', 'a 1+N cluster has only one hub school'],
    ]);
  });

  it('keeps coordinators to their clusters and regions', async () => {
    const template = await download('/api/import/schools/template?format=csv');
    const other = await http(
      coordinator,
      'POST',
      `/api/import/schools?clusterId=${foreign.clusterId}&format=csv&dryRun=true`,
      template,
    );
    expect(other.status).toBe(404);
    const outOfRegion = Buffer.concat([template, Buffer.from(`外县小学${suffix},430721,乡村学校,4,1\r\n`)]);
    const res = await upload('schools', outOfRegion, 'format=csv&dryRun=true');
    expect(res.body.errors).toEqual([
      {
        row: 2,
        column: { zh: '区划代码', en: 'Region code' },
        message: { zh: '区划 430721 不在您的管辖范围内', en: 'region 430721 is outside your scope' },
      },
    ]);
    const teacher = await login(t.url, 'teacher');
    expect((await upload('schools', template, 'format=csv', teacher)).status).toBe(403);
    expect(demo.clusterId).not.toBe(clusterId);
  });

  it('refuses a request without a file, or with a wrong kind or format, with a clear 400', async () => {
    expect((await http(coordinator, 'POST', `/api/import/schools?clusterId=${clusterId}`)).status).toBe(400);
    expect((await http(coordinator, 'GET', '/api/import/pupils/template')).status).toBe(400);
    expect(
      (await http(coordinator, 'GET', `/api/export/schools?clusterId=${clusterId}&format=pdf`)).status,
    ).toBe(400);
  });
});
