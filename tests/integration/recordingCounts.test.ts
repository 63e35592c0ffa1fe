import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../server/auth/tokens.ts';
import type { LibraryListResponse, RecordingStatus, RecordingView } from '../../server/contract/library.ts';
import type { Figures, ReportView } from '../../server/contract/reports.ts';
import { createLogger } from '../../server/logger.ts';
import type { Recording } from '../../server/models/index.ts';
import { copyEveryRecording, copyToLesson } from '../../server/recording/lessonCopy.ts';
import { Library } from '../../server/recording/Library.ts';
import { RecordingStorage } from '../../server/recording/storage.ts';
import { reportWorkbook } from '../../server/reports/workbook.ts';
import { AuditLog } from '../../server/resources/AuditLog.ts';
import { waitFor } from '../helpers/media.ts';
import { demoSide } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

/** Friday 20 November 2026, 14:00 in Beijing: a fixed clock. */
const NOW = Date.parse('2026-11-20T06:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;
const NONE: Figures['recordings'] = {
  recorded: 0,
  ready: 0,
  shared: 0,
  recording: 0,
  composing: 0,
  failed: 0,
  incomplete: 0,
};

describe('recordings counted, shared, kept within quota and retention (资源同步共享)', () => {
  let t: TestPlatform;
  let demo: Side;
  let rooms: string[];
  const tokens: Record<string, string> = {};
  const call = async <T>(who: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${t.url}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[who]}`,
        'x-requested-with': 'fetch',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };

  /** An ended lesson of the demo cluster `daysAgo` days before NOW, with a recording in `state`. */
  async function recordedLesson(
    daysAgo: number,
    rec: Partial<Pick<Recording, 'state' | 'rawBytes' | 'mp4Bytes'>> & { died?: boolean; runs?: number },
  ): Promise<string> {
    const m = t.platform.models;
    const start = NOW - daysAgo * DAY - 3 * 3600_000;
    const lesson = await m.Lesson.create({
      clusterId: demo.clusterId,
      offeringId: demo.offeringId,
      title: `英语 ${daysAgo}`,
      subject: '英语',
      grade: 4,
      teacherId: demo.teacherId,
      hubClassroomId: demo.hubClassroomId,
      classroomIds: rooms,
      scheduledStart: new Date(start),
      scheduledEnd: new Date(start + 40 * MIN),
      state: 'ended',
      startedAt: new Date(start),
      endedAt: new Date(start + 40 * MIN),
    });
    const lessonId = lesson._id.toString();
    const run = (i: number) => ({
      group: 'teacher',
      dir: `00${i}-teacher`,
      streams: [{ source: 'camera', kind: 'video', mimeType: 'video/VP8' }],
      startedAt: new Date(start),
      endedAt: new Date(start + 40 * MIN),
      end: 'stopped',
    });
    await m.Recording.create({
      lessonId,
      clusterId: demo.clusterId,
      teacherId: demo.teacherId,
      schoolIds: [demo.hubSchoolId],
      title: lesson.title,
      subject: '英语',
      grade: 4,
      state: rec.state ?? 'ready',
      liveStartedAt: lesson.startedAt,
      liveEndedAt: lesson.endedAt,
      runs: Array.from({ length: rec.runs ?? 1 }, (_, i) => run(i)),
      gaps: rec.died
        ? [
            {
              group: 'teacher',
              from: new Date(start + MIN),
              to: new Date(start + MIN + 3000),
              reason: 'recorder-died',
            },
          ]
        : [],
      rawBytes: rec.rawBytes ?? 1000,
      mp4Bytes: rec.mp4Bytes ?? 500,
    });
    // Files on disk, as a recorder and the composition leave them.
    const dir = path.join(t.dataDir, 'recordings', lessonId);
    fs.mkdirSync(path.join(dir, '000-teacher'), { recursive: true });
    fs.writeFileSync(path.join(dir, '000-teacher', 'seg-00000.mkv'), Buffer.alloc(1000));
    fs.writeFileSync(path.join(dir, 'lesson.mp4'), Buffer.alloc(500));
    // What RecordingService does after every change of a Recording.
    await copyToLesson(m, lessonId);
    return lessonId;
  }

  const figures = async (who: string, query: string) => {
    const res = await call<ReportView>(who, 'GET', `/api/reports/figures?period=month${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await startPlatform({ now: () => NOW });
    demo = await demoSide(t.platform.models);
    const cluster = (await t.platform.models.Cluster.findById(demo.clusterId).lean())!;
    rooms = (
      await t.platform.models.Classroom.find({ schoolId: { $in: cluster.memberSchoolIds } }).lean()
    ).map((r) => r._id.toString());
    for (const who of ['bureau', 'coordinator', 'teacher', 'teacher2']) tokens[who] = await login(t.url, who);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('counts recorded, shared, composing, failed and incomplete lessons for the cluster and its region, in the dashboard, the sessions and the report export', async () => {
    const ready = await recordedLesson(1, { state: 'ready' });
    const failed = await recordedLesson(2, { state: 'failed' });
    const composing = await recordedLesson(3, { state: 'composing', died: true });
    const shared = await recordedLesson(4, { state: 'ready' });
    // Switched off before anything was recorded: not a recorded lesson.
    await recordedLesson(5, { state: 'off', runs: 0 });

    // The teacher shares one to the region.
    const share = await call<RecordingView>('teacher', 'PUT', `/api/library/recordings/${shared}/share`, {
      shared: true,
    });
    expect(share.status).toBe(200);
    expect(share.body.sharedRegion).toBe('430725');

    const expected = { ...NONE, recorded: 4, ready: 2, shared: 1, composing: 1, failed: 1, incomplete: 1 };
    const cluster = await figures('coordinator', `&clusterId=${demo.clusterId}`);
    expect(cluster.figures.recordings).toEqual(expected);
    expect(cluster.rules.map((r) => r.zh).join(' ')).toContain('录制节数');
    expect(cluster.rules.map((r) => r.en).join(' ')).toContain('Recorded: sessions of the period');
    const states = new Map(cluster.sessions.map((s) => [s.id, s.recording]));
    expect(states.get(ready)).toEqual({ state: 'ready', incomplete: false, shared: false });
    expect(states.get(failed)).toEqual({ state: 'failed', incomplete: false, shared: false });
    expect(states.get(composing)).toEqual({ state: 'composing', incomplete: true, shared: false });
    expect(states.get(shared)).toEqual({ state: 'ready', incomplete: false, shared: true });
    // The region's figures come from the roll-up of lesson facts: the same counts, and its cluster row.
    const region = await figures('bureau', '');
    expect(region.scope).toMatchObject({ kind: 'region', id: '430725' });
    expect(region.figures.recordings).toEqual(expected);
    expect(region.rows.find((r) => r.id === demo.clusterId)?.figures.recordings).toEqual(expected);

    // Deleted (by a manager): still recorded and shared in the period's figures, no longer playable.
    expect((await call('coordinator', 'DELETE', `/api/library/recordings/${shared}`)).status).toBe(204);
    expect((await t.platform.models.Lesson.findById(shared).lean())?.recording).toEqual({
      state: 'deleted',
      incomplete: false,
      shared: true,
    });
    const after = await figures('bureau', '');
    expect(after.figures.recordings).toEqual({ ...expected, ready: 1 });

    // The report export carries the same columns as the dashboard.
    const csv = (await reportWorkbook(after, 'csv')).toString('utf8').replace(/^\uFEFF/, '');
    const [header, total] = csv.split(/\r?\n/).map((line) => line.split(','));
    const column = (name: string) => total![header!.indexOf(name)];
    expect(column('录制节数')).toBe('4');
    expect(column('已共享')).toBe('1');
    expect(column('可播放')).toBe('1');
    expect(column('合成中')).toBe('1');
    expect(column('合成失败')).toBe('1');
    expect(column('不完整')).toBe('1');
  });

  it('copies every recording made before lessons carried theirs onto its lesson, once per database', async () => {
    const m = t.platform.models;
    const old = await recordedLesson(7, { state: 'ready', died: true });
    // As an earlier version left it: the recording, nothing on its lesson.
    await m.Lesson.updateOne({ _id: old }, { $set: { recording: null } });
    await m.Recording.db.collection('recordingstate').deleteMany({});
    expect(await copyEveryRecording(m)).toBeGreaterThanOrEqual(1);
    expect((await m.Lesson.findById(old).lean())?.recording).toEqual({
      state: 'ready',
      incomplete: true,
      shared: false,
    });
    expect(await copyEveryRecording(m)).toBe(0);
  });

  it('deletes recordings past the cluster’s retention (files, entry, audited as "retention"), keeping newer ones and those still composing', async () => {
    const m = t.platform.models;
    const old = await recordedLesson(40, { state: 'ready' });
    const oldComposing = await recordedLesson(41, { state: 'composing' });
    const recent = await recordedLesson(10, { state: 'ready' });
    await m.RecordingSettings.updateOne(
      { clusterId: demo.clusterId },
      { $set: { retentionDays: 30 }, $setOnInsert: { clusterId: demo.clusterId, enabled: true } },
      { upsert: true },
    );
    const storage = new RecordingStorage(path.join(t.dataDir, 'recordings'));
    const library = new Library(m, storage, new AuditLog(m, createLogger('silent'), () => NOW));
    const removed = await library.enforceRetention(NOW);
    expect(removed).toBe(1);
    expect(fs.existsSync(storage.lessonDir(old))).toBe(false);
    expect(await m.Recording.countDocuments({ lessonId: old })).toBe(0);
    expect((await m.Lesson.findById(old).lean())?.recording?.state).toBe('deleted');
    for (const kept of [oldComposing, recent]) {
      expect(fs.existsSync(storage.mp4(kept))).toBe(true);
      expect(await m.Recording.countDocuments({ lessonId: kept })).toBe(1);
    }
    const audit = await m.AuditEntry.find({ entity: 'recording', entityId: old }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'delete', username: 'retention', regionCode: '430725' });
    expect(audit[0]!.before).toMatchObject({ retentionDays: 30 });
    // Run again: nothing more to delete.
    expect(await library.enforceRetention(NOW)).toBe(0);
    await m.RecordingSettings.updateOne({ clusterId: demo.clusterId }, { $set: { retentionDays: null } });
  });

  it('records no new lesson of a cluster over its storage quota, and says why to the teacher and in the library; a raised quota lets the teacher record', async () => {
    const m = t.platform.models;
    // 0.1 GB quota; the cluster's recordings already take 200 MB.
    const big = await recordedLesson(6, { state: 'ready', rawBytes: 150e6, mp4Bytes: 50e6 });
    const put = await call('coordinator', 'PUT', `/api/library/clusters/${demo.clusterId}/settings`, {
      enabled: true,
      quotaGb: 0.1,
      retentionDays: null,
    });
    expect(put.status).toBe(200);
    const storage = await call<{ clusterId: string; bytes: number; quotaBytes: number }[]>(
      'coordinator',
      'GET',
      '/api/library/storage',
    );
    const own = storage.body.find((s) => s.clusterId === demo.clusterId)!;
    expect(own.bytes).toBeGreaterThan(own.quotaBytes);

    const user = (await m.User.findOne({ username: 'teacher' }).lean())!;
    const teacher: Identity = {
      userId: user._id.toString(),
      role: 'teacher',
      displayName: user.realName ?? '',
      classroomId: null,
    };
    const lessonId = (await m.Lesson.findOne({
      teacherId: user._id,
      state: 'scheduled',
    }).lean())!._id.toString();
    await t.platform.lessons.start(teacher, lessonId);
    await t.platform.rooms.getOrCreate(lessonId);
    const recording = async () => m.Recording.findOne({ lessonId }).lean<Recording>();
    expect(await waitFor(async () => (await recording())?.offReason === 'over-quota', 10_000)).toBe(true);
    expect((await recording())!.state).toBe('off');
    const status = await call<RecordingStatus>('teacher', 'GET', `/api/lessons/${lessonId}/recording`);
    expect(status.body).toMatchObject({ state: 'off', offReason: 'over-quota', recordingNow: false });
    const list = await call<LibraryListResponse>('coordinator', 'GET', '/api/library/recordings');
    expect(list.body.recordings.find((r) => r.id === lessonId)).toMatchObject({
      state: 'off',
      offReason: 'over-quota',
      shareable: false,
    });
    // Not a recorded lesson in the figures.
    expect((await m.Lesson.findById(lessonId).lean())?.recording ?? null).toBeNull();

    // The coordinator lifts the quota; the teacher switches recording on: it records again.
    await call('coordinator', 'PUT', `/api/library/clusters/${demo.clusterId}/settings`, {
      enabled: true,
      quotaGb: null,
      retentionDays: null,
    });
    const on = await call<RecordingStatus>('teacher', 'PUT', `/api/lessons/${lessonId}/recording`, {
      enabled: true,
    });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ state: 'recording', offReason: null });
    await t.platform.lessons.end(teacher, lessonId);
    expect(await m.Recording.countDocuments({ lessonId: big })).toBe(1);
  });
});
