import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompatView } from '../../server/contract/timetable.ts';
import { demoTerm } from '../../server/seed/term.ts';
import { demoSide } from '../helpers/fixtures.ts';
import type { Side } from '../helpers/fixtures.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

const TERM = demoTerm(new Date()).term;
const clock = (m: number): string =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutes = (c: string): number => Number(c.slice(0, 2)) * 60 + Number(c.slice(3));

describe('bell compatibility: analysis, proposals, accepting one', () => {
  let t: TestPlatform;
  let coordinator: string;
  let demo: Side;
  let base: string;
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${coordinator}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    t = await startPlatform();
    demo = await demoSide(t.platform.models);
    coordinator = await login(t.url, 'coordinator');
    base = `/api/timetables/${demo.clusterId}/${TERM}`;
  }, 60_000);
  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('finds the demo bells (0–4 minutes apart) compatible: common slots every day, nothing to propose', async () => {
    const { status, body } = await call<CompatView>('GET', `${base}/compat`);
    expect(status).toBe(200);
    expect(body.report.feasible).toBe(true);
    expect(body.report.minOverlap).toBe(0.9);
    expect(body.report.commonSlots).toBe(30);
    expect(body.proposals).toEqual([]);
    expect(body.schools[0]?.hub).toBe(true);
  });

  it('names the school whose bells ring 25 minutes late, and an accepted proposal makes room again, audited', async () => {
    const m = t.platform.models;
    const bells = (await m.BellSchedule.findById(demo.bellScheduleId).lean())!;
    const school = (await m.School.findById(bells.schoolId).lean())!;
    const late = bells.periods.map((p) => ({
      period: p.period,
      start: clock(minutes(p.start) + 25),
      end: clock(minutes(p.end) + 25),
      weekdays: p.weekdays,
    }));
    expect(
      (await call('PATCH', `/api/bell-schedules/${demo.bellScheduleId}`, { periods: late })).status,
    ).toBe(200);

    const before = (await call<CompatView>('GET', `${base}/compat`)).body;
    expect(before.report.feasible).toBe(false);
    const english = before.report.offerings.find((o) => o.name.startsWith('英语'))!;
    expect(english.candidateSlots).toBe(0);
    expect(english.blocking[0]?.schoolName).toBe(school.name);
    expect(english.message.zh).toContain(school.name);
    expect(english.message.en).toContain(`${school.name}'s bells`);
    expect(before.proposals.length).toBeGreaterThan(0);
    const proposal = before.proposals[0]!;
    expect(proposal.complete).toBe(true);

    const accepted = await call<CompatView>('POST', `${base}/compat/accept`, { proposalId: proposal.id });
    expect(accepted.status).toBe(200);
    expect(accepted.body.report.feasible).toBe(true);
    const audit = await m.AuditEntry.find({ entity: 'bell-schedules', 'after.proposal': proposal.id }).lean();
    expect(audit).toHaveLength(new Set(proposal.changes.map((c) => c.schoolId)).size);

    // The same proposal cannot be accepted twice: the bells it started from are gone.
    expect((await call('POST', `${base}/compat/accept`, { proposalId: proposal.id })).status).toBe(409);
  });
});
