import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import type { ReportView } from '../../server/contract/reports.ts';
import { waitFor } from '../helpers/media.ts';
import { login } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { startSharedStack } from '../helpers/sharedStack.ts';
import type { SharedStack } from '../helpers/sharedStack.ts';
import { connect, request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

/**
 * Reports from two server processes' worth of platform (each its own database connection,
 * report service and HTTP port) on one database and one Redis: neither holds the province's
 * lessons, both read the same facts, so a report is the same whichever process serves it.
 */
describe('reports from two server processes on one database', () => {
  let stack: SharedStack;
  let a: TestPlatform;
  let b: TestPlatform;
  const tokens = new Map<string, string>();
  const sockets: ClientSocket[] = [];

  const report = async (p: TestPlatform, who: string, query: string): Promise<ReportView> => {
    const key = `${p.url} ${who}`;
    if (!tokens.has(key)) tokens.set(key, await login(p.url, who));
    const res = await fetch(`${p.url}/api/reports/figures?${query}`, {
      headers: { authorization: `Bearer ${tokens.get(key)}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as ReportView;
  };
  /** What does not depend on which process answered. */
  const same = (v: ReportView) => ({
    figures: v.figures,
    rows: v.rows,
    trend: v.trend,
    sessions: v.sessions,
  });

  beforeAll(async () => {
    stack = await startSharedStack();
    // One after the other: the first seeds the demo, the second finds it.
    a = await stack.platform();
    b = await stack.platform();
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.stop();
  });

  it('gives the same report from either process: a province, a county, a cluster', async () => {
    for (const [who, query] of [
      ['admin', 'region=430000&period=month'],
      ['bureau', 'region=430725&period=quarter'],
      ['coordinator', 'period=year'],
    ] as const) {
      const [fromA, fromB] = [await report(a, who, query), await report(b, who, query)];
      expect(same(fromB)).toEqual(same(fromA));
    }
  });

  it('a lesson delivered through process A shows, judged, in the reports read from process B', async () => {
    const province = 'region=430000&period=month';
    const before = (await report(b, 'admin', province)).figures.sessions;
    // The teacher and a classroom on A: the lesson goes live, the classroom joins, it ends.
    const teacherToken = await login(a.url, 'teacher');
    const current = (await (
      await fetch(`${a.url}/api/lessons/current`, { headers: { authorization: `Bearer ${teacherToken}` } })
    ).json()) as CurrentLessonResponse;
    const lesson = current.lesson!;
    const caps = await a.platform.rooms.getOrCreate('caps');
    const rtpCapabilities = caps.rtpCapabilities;
    caps.close();
    const teacher = await connect(a.url, teacherToken);
    const classroom = await connect(a.url, await login(a.url, 'classroom1'));
    sockets.push(teacher, classroom);
    expect(await request(teacher, 'lesson:start', { lessonId: lesson.id })).toMatchObject({ ok: true });
    expect(await request(classroom, 'lesson:join', { lessonId: lesson.id, rtpCapabilities })).toMatchObject({
      ok: true,
    });
    expect(await request(teacher, 'lesson:end', { lessonId: lesson.id })).toMatchObject({ ok: true });

    // A judges it once its attendance is written; B's next cluster report lists it judged.
    const judged = async () =>
      (await report(b, 'coordinator', 'period=month')).sessions.find((s) => s.id === lesson.id);
    expect(await waitFor(async () => (await judged())?.verdict === 'not-delivered', 15_000)).toBe(true);
    const row = (await judged())!;
    // Live for seconds of a 40-minute lesson; the classroom that joined was there.
    expect(row.reasons.map((r) => r.zh).join(' ')).toContain('%');
    expect(row.reasons.map((r) => r.en).join(' ')).toContain('%');
    expect(row.classrooms.filter((c) => c.status !== 'absent')).toHaveLength(1);
    // …and B's province report counts it, as A's does.
    const after = await report(b, 'admin', province);
    expect(after.figures.sessions.notDelivered).toBe(before.notDelivered + 1);
    expect(same(after)).toEqual(same(await report(a, 'admin', province)));
  });
});
