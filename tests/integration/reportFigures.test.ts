/**
 * A province year as bench:reports seeds it (smaller), in the real database: the annual
 * province report from the roll-up (lessons alike counted once, groups of a course summed
 * over the year) gives the figures counted here straight from the lesson documents, and the
 * same report as every lesson one by one — on the new database, with lessons judged late,
 * added, recorded and deleted since the roll-up was written, and once they are folded in.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../bench/lib/province.ts';
import { Scope } from '../../server/auth/Scope.ts';
import type { ReportView } from '../../server/contract/reports.ts';
import { EmbeddedFerretDb, defaultFerretdbBin } from '../../server/db/EmbeddedFerretDb.ts';
import { createLogger } from '../../server/logger.ts';
import { createModels, syncIndexes } from '../../server/models/index.ts';
import type { Cluster, Lesson, Models } from '../../server/models/index.ts';
import { FactRollUp } from '../../server/reports/FactRollUp.ts';
import { ReportService } from '../../server/reports/ReportService.ts';
import { makeDataDir, removeDataDir } from '../helpers/platform.ts';

/** The last days of 2027: every session of the generated year is over. */
const NOW = Date.parse('2027-12-30T00:00:00Z');
const now = (): number => NOW;
const CST = 8 * 3_600_000;
const YEAR = { from: Date.parse('2027-01-01T00:00:00+08:00'), to: Date.parse('2028-01-01T00:00:00+08:00') };
const PROVINCE = { region: '430000', period: 'year' } as const;

type Verdict = 'delivered' | 'not-delivered' | 'missed';
type Status = 'present' | 'late' | 'partial' | 'absent';

/**
 * The year's figures counted straight from the lesson documents, the way the generated data
 * is (every ended lesson judged, every other one never started, so missed): sessions by
 * verdict, attendance of sessions that went live, offerings, recordings, sessions per month
 * and per city row.
 */
async function countedFromLessons(m: Models) {
  const lessons = await m.Lesson.find({
    scheduledStart: { $gte: new Date(YEAR.from), $lt: new Date(YEAR.to) },
  }).lean<Lesson[]>();
  const clusters = new Map(
    (await m.Cluster.find({}).lean<Cluster[]>()).map((c) => [c._id.toString(), c.regionCode]),
  );
  const sessions = { planned: 0, delivered: 0, notDelivered: 0, missed: 0 };
  const attendance = { due: 0, present: 0, late: 0, partial: 0, absent: 0 };
  const recordings = { recorded: 0, ready: 0, shared: 0 };
  const planned = new Set<string>();
  const synchronized = new Set<string>();
  const months = Array.from({ length: 12 }, () => ({ planned: 0, delivered: 0, missed: 0 }));
  const cities = new Map<string, { planned: number; delivered: number; due: number; present: number }>();
  for (const l of lessons) {
    const stored = l.delivery as { verdict: Verdict; classrooms: { status: Status }[] } | null;
    expect(l.state === 'ended' ? stored?.verdict !== undefined : l.startedAt === null).toBe(true);
    const verdict: Verdict = l.state === 'ended' ? stored!.verdict : 'missed';
    sessions.planned++;
    sessions[verdict === 'not-delivered' ? 'notDelivered' : verdict]++;
    const month = months[new Date(l.scheduledStart.getTime() + CST).getUTCMonth()]!;
    month.planned++;
    if (verdict !== 'not-delivered') month[verdict]++;
    const city = `${clusters.get(l.clusterId.toString())!.slice(0, 4)}00`;
    const row = cities.get(city) ?? { planned: 0, delivered: 0, due: 0, present: 0 };
    cities.set(city, row);
    row.planned++;
    if (verdict === 'delivered') row.delivered++;
    if (l.offeringId) {
      planned.add(l.offeringId.toString());
      if (verdict === 'delivered') synchronized.add(l.offeringId.toString());
    }
    if (verdict !== 'missed')
      for (const c of stored!.classrooms) {
        attendance.due++;
        attendance[c.status]++;
        row.due++;
        if (c.status === 'present') row.present++;
      }
    if (l.recording) {
      recordings.recorded++;
      if (l.recording.state === 'ready') recordings.ready++;
      if (l.recording.shared) recordings.shared++;
    }
  }
  return {
    sessions,
    attendance,
    recordings,
    offerings: { planned: planned.size, synchronized: synchronized.size },
    months,
    cities,
  };
}

/** The same counts as a report gives them. */
function countedInReport(view: ReportView) {
  const f = view.figures;
  const { planned, delivered, notDelivered, missed } = f.sessions;
  const cities = new Map(
    view.rows
      .filter((r) => r.kind === 'region' && r.figures.sessions.planned > 0)
      .map((r) => [
        r.id,
        {
          planned: r.figures.sessions.planned,
          delivered: r.figures.sessions.delivered,
          due: r.figures.attendance.due,
          present: r.figures.attendance.present,
        },
      ]),
  );
  return {
    sessions: { planned, delivered, notDelivered, missed },
    attendance: f.attendance,
    recordings: { recorded: f.recordings.recorded, ready: f.recordings.ready, shared: f.recordings.shared },
    offerings: { planned: f.offeringsPlanned, synchronized: f.offeringsSynchronized },
    months: view.trend.map(({ planned: p, delivered: d, missed: m }) => ({
      planned: p,
      delivered: d,
      missed: m,
    })),
    cities,
  };
}

/** What a report shows, without what is not figures (labels, rules, targets). */
const shown = (v: ReportView) => ({ figures: v.figures, rows: v.rows, trend: v.trend });

describe('the annual province report of a seeded province, against its lesson documents', () => {
  let ferret: EmbeddedFerretDb;
  let dataDir: string;
  const connections: mongoose.Connection[] = [];
  const connect = async (): Promise<Models> => {
    const c = await mongoose.createConnection(ferret.uri).asPromise();
    connections.push(c);
    return createModels(c);
  };
  let a: Models;
  let admin: Scope;

  beforeAll(async () => {
    dataDir = makeDataDir();
    ferret = await EmbeddedFerretDb.start({
      bin: defaultFerretdbBin(),
      dataDir,
      logger: createLogger('silent'),
    });
    a = await connect();
    await syncIndexes(a);
    // 12 clusters: 1,728 sessions, ~6,000 classroom entries.
    await generate(a, 12, 5);
    admin = await Scope.resolve(a, {
      role: 'admin',
      userId: new mongoose.Types.ObjectId().toString(),
      displayName: 'test',
    } as never);
  }, 120_000);
  afterAll(async () => {
    for (const c of connections) await c.close();
    await ferret.stop();
    removeDataDir(dataDir);
  });

  /** The report from a process of its own: groups summed, and every lesson one by one. */
  async function bothWays() {
    const b = await connect();
    const fast = new ReportService(b, { now });
    const slow = new ReportService(b, { now, rollUp: { groups: false, cacheBytes: 0 } });
    const [grouped, oneByOne] = [
      await fast.view(admin, null, PROVINCE),
      await slow.view(admin, null, PROVINCE),
    ];
    await fast.close();
    await slow.close();
    // The fast path did count groups as groups.
    let groups = 0;
    let lessons = 0;
    await new FactRollUp(b).each(
      YEAR,
      () => lessons++,
      (g) => {
        groups++;
        lessons += g.count;
      },
    );
    return { grouped, oneByOne, groups, lessons };
  }

  it('gives the figures counted from the lessons, on a new database and after lessons changed, added and deleted', async () => {
    // Process A: the first report builds the roll-up; it folds the journal in after 3 entries.
    const first = new ReportService(a, { now, rollUp: { compactAfter: 3 } });
    const built = await first.view(admin, null, PROVINCE);
    const truth = await countedFromLessons(a);
    expect(truth.sessions.planned).toBe(1728);
    expect(truth.sessions.notDelivered).toBeGreaterThan(0);
    expect(truth.sessions.missed).toBeGreaterThan(0);
    expect(countedInReport(built)).toEqual(truth);
    const fresh = await bothWays();
    expect(fresh.groups).toBeGreaterThan(0);
    expect(fresh.groups).toBeLessThan(fresh.lessons / 3);
    expect(countedInReport(fresh.grouped)).toEqual(truth);
    expect(shown(fresh.grouped)).toEqual(shown(fresh.oneByOne));

    // Through the models since: a missed lesson went live after all and is judged (its
    // classrooms never joined), a delivered one deleted, one recorded and shared, a new one.
    const missed = (await a.Lesson.findOne({ state: 'scheduled' }).lean<Lesson>())!;
    await a.Lesson.updateOne(
      { _id: missed._id },
      { $set: { state: 'ended', startedAt: missed.scheduledStart, endedAt: missed.scheduledEnd } },
    );
    await first.judgeEnded(missed._id.toString());
    const delivered = await a.Lesson.find({ 'delivery.verdict': 'delivered' }).limit(3).lean<Lesson[]>();
    await a.Lesson.deleteOne({ _id: delivered[0]!._id });
    await a.Lesson.updateOne(
      { _id: delivered[1]!._id },
      { $set: { recording: { state: 'ready', incomplete: false, shared: true } } },
    );
    const {
      _id: _old,
      createdAt: _c,
      updatedAt: _u,
      ...copy
    } = delivered[2] as Lesson & {
      createdAt: Date;
      updatedAt: Date;
    };
    await a.Lesson.create({
      ...copy,
      scheduledStart: new Date(copy.scheduledStart.getTime() + 3_600_000),
      scheduledEnd: new Date(copy.scheduledEnd.getTime() + 3_600_000),
    });
    const changed = await countedFromLessons(a);
    expect(changed.sessions.planned).toBe(1728);
    expect(changed.sessions.delivered).toBe(truth.sessions.delivered);
    expect(changed.sessions.missed).toBe(truth.sessions.missed - 1);
    expect(changed.recordings.shared).toBe(1);

    // Read with the journal on top of the roll-up: only groups holding a changed lesson apart.
    const journal = await bothWays();
    expect(countedInReport(journal.grouped)).toEqual(changed);
    expect(shown(journal.grouped)).toEqual(shown(journal.oneByOne));
    expect(journal.groups).toBeGreaterThan(fresh.groups - 6);

    // Folded into a new roll-up by A: the same figures from it.
    await first.view(admin, null, PROVINCE);
    await first.close();
    expect(await a.Lesson.db.collection('changejournal').countDocuments()).toBe(0);
    const folded = await bothWays();
    expect(countedInReport(folded.grouped)).toEqual(changed);
    expect(shown(folded.grouped)).toEqual(shown(folded.oneByOne));

    // A process started as a server starts (ReportService.prime) holds the year's chunks,
    // every one of the roll-up, before its first report.
    const primed = new FactRollUp(await connect());
    await primed.preload(YEAR);
    const chunks = await a.Lesson.db
      .collection<{ data: mongoose.mongo.Binary }>('reportfacts')
      .find({})
      .toArray();
    expect(chunks.length).toBeGreaterThan(0);
    expect(primed.cachedBytes).toBe(chunks.reduce((n, c) => n + c.data.length(), 0));
  }, 180_000);
});
