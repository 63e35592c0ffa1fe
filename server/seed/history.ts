import mongoose from 'mongoose';
import { expandTerm } from '../../scheduler/index.ts';
import type { TermCalendarInput, Weekday } from '../../scheduler/index.ts';
import { judgeSession, resolveRules } from '../../scheduler/delivery/index.ts';
import type { DeliveryRules } from '../../scheduler/delivery/index.ts';
import { mulberry32, randomBetween } from '../../scheduler/timetable/index.ts';
import type { Random } from '../../scheduler/timetable/index.ts';
import type { Lesson, LessonEvent, LinkSample, Models, Offering } from '../models/index.ts';
import { recordOf } from '../reports/records.ts';
import { chinaDate, periodAround } from '../reports/periods.ts';
import { offeringName } from '../timetable/problem.ts';
import { periodTime } from './bells.ts';

type Id = mongoose.Types.ObjectId;
const MIN = 60_000;
const SEC = 1000;

/** One weekly period of an offering in the demo's joint timetable. */
export interface WeeklyLesson {
  offeringId: Id;
  /** As the published lessons name it (`offeringName`). */
  title: string;
  subject: string;
  grade: number;
  teacherId: Id;
  weekday: Weekday;
  /** Minutes since midnight (China time), by the hub's bells. */
  start: number;
  end: number;
  /** What the lessons of the term teach, one after the other. */
  topics: readonly string[];
}

/** An offering's weekly period, at the hub's bells of `period`, with the term's topics. */
export function weeklyLesson(
  offering: Pick<Offering, 'subject' | 'grade' | 'teacherId'> & { _id: Id },
  weekday: Weekday,
  period: number,
  topics: readonly string[],
): WeeklyLesson {
  return {
    offeringId: offering._id,
    title: offeringName(offering).zh,
    subject: offering.subject,
    grade: offering.grade,
    teacherId: offering.teacherId,
    weekday,
    ...periodTime(period),
    topics,
  };
}

/** A receiving classroom and the school link it sits behind. */
export interface HistoryClassroom {
  id: Id;
  /** Its school's link, Mbit/s. */
  downlinkMbps: number;
  uplinkMbps: number;
  classSize: number;
}

/** A cluster whose term so far is to be written. */
export interface ClusterHistory {
  clusterId: Id;
  hubClassroomId: Id;
  weekly: readonly WeeklyLesson[];
  classrooms: readonly HistoryClassroom[];
  calendar: TermCalendarInput;
}

/** What was written. */
export interface HistorySummary {
  lessons: number;
  /** By the verdict judged (missed: never went live). */
  verdicts: Record<string, number>;
  events: number;
  samples: number;
}

/** How a classroom's link behaves: by its school's downlink. */
type LinkKind = 'good' | 'fair' | 'thin';
const linkKind = (room: HistoryClassroom): LinkKind =>
  room.downlinkMbps >= 8 ? 'good' : room.downlinkMbps >= 5 ? 'fair' : 'thin';

/**
 * Per link kind: chances that a classroom of a held lesson is late, connected only part of
 * the time, or absent, and how many short drops (reconnects) it has at most.
 */
const CHANCES: Record<LinkKind, { late: number; partial: number; absent: number; drops: number }> = {
  good: { late: 0.03, partial: 0.01, absent: 0.01, drops: 0 },
  fair: { late: 0.05, partial: 0.03, absent: 0.02, drops: 1 },
  thin: { late: 0.08, partial: 0.12, absent: 0.05, drops: 3 },
};

/** A minute's link figures per kind: [min, max] of rtt ms, loss %, kbit/s received and sent. */
const LINKS: Record<LinkKind | 'hub', { rtt: number[]; loss: number[]; recv: number[]; send: number[] }> = {
  hub: { rtt: [6, 18], loss: [0, 0.3], recv: [700, 1200], send: [1800, 2400] },
  good: { rtt: [25, 60], loss: [0, 0.8], recv: [1200, 1600], send: [450, 650] },
  fair: { rtt: [40, 95], loss: [0.2, 2], recv: [800, 1100], send: [300, 450] },
  thin: { rtt: [90, 220], loss: [1.5, 6], recv: [350, 600], send: [150, 250] },
};

const between = (random: Random, [min, max]: number[]): number =>
  (min ?? 0) + random() * ((max ?? 0) - (min ?? 0));

/**
 * The term so far of a demo cluster, as teaching it would have left it: every lesson of
 * its weekly timetable on the school days before today (expanded as publishing does), each
 * one ended with its record (the live and ended events, each participant's joins and
 * leaves, head counts, a link sample a minute per participant since the first of last
 * month) and judged by the delivery
 * rules from that record, as the report service judges a lesson when it ends; or, for a
 * few, never taught (left scheduled: missed). Most are delivered; some end early (not
 * delivered); classrooms behind thin links drop, join late or miss more often.
 * Deterministic for a given `seed` and day. Written with three bulk inserts through the
 * models, so the lesson journal announces them to the report roll-up like any lesson.
 */
export async function seedHistory(
  models: Models,
  cluster: ClusterHistory,
  options: { now: number; rules: Partial<DeliveryRules>; seed: number },
): Promise<HistorySummary> {
  const random = mulberry32(options.seed);
  const rules = resolveRules(options.rules);
  const today = chinaDate(options.now);
  const term = expandTerm(cluster.weekly, cluster.calendar);
  const dated = term.filter((d) => d.date < today);
  // An offering's topics spread over its lessons of the whole term.
  const inTerm = new Map<string, number>();
  for (const d of term) {
    const key = d.session.offeringId.toString();
    inTerm.set(key, (inTerm.get(key) ?? 0) + 1);
  }
  // Link samples (a few hundred documents a lesson, most of the writing) for the lessons
  // since the first of last month only, so that the first start stays quick: the
  // dashboard's month and the month before have every chart.
  const samplesFrom = periodAround('month', periodAround('month', options.now).from - 1).from;
  const taught = new Map<string, number>();
  const outcome = outcomes(random, dated.length);
  // Link figures from a stream of their own: the attendance drawn is the same whichever
  // lessons get samples.
  const linkRandom = mulberry32(options.seed ^ 0x51ed);
  const lessons: Lesson[] = [];
  const events: LessonEvent[] = [];
  const samples: Omit<LinkSample, '_id'>[] = [];
  const verdicts: Record<string, number> = {};
  for (const [i, { session, start, end }] of dated.entries()) {
    // An offering's lessons go through its topics in order, whichever weekday they fall on.
    const n = taught.get(session.offeringId.toString()) ?? 0;
    taught.set(session.offeringId.toString(), n + 1);
    const topic =
      session.topics[
        Math.floor((n * session.topics.length) / (inTerm.get(session.offeringId.toString()) ?? 1))
      ];
    const lesson = new models.Lesson({
      clusterId: cluster.clusterId,
      offeringId: session.offeringId,
      title: topic ? `${session.title} · ${topic}` : session.title,
      subject: session.subject,
      grade: session.grade,
      teacherId: session.teacherId,
      hubClassroomId: cluster.hubClassroomId,
      classroomIds: cluster.classrooms.map((c) => c.id),
      scheduledStart: new Date(start),
      scheduledEnd: new Date(end),
    }).toObject<Lesson>();
    if (outcome[i] === 'missed') {
      // Never taught (the hub teacher ill, a power cut at the hub): missed by the clock.
      verdicts['missed'] = (verdicts['missed'] ?? 0) + 1;
      lessons.push(lesson);
      continue;
    }
    const liveStart = start + randomBetween(random, 0, 180) * SEC;
    // Some end early (the hub's link went down and the lesson was not resumed).
    const liveEnd =
      outcome[i] === 'short'
        ? liveStart + randomBetween(random, 12, 28) * MIN
        : end + randomBetween(random, -60, 90) * SEC;
    const record = taughtLesson(
      { attendance: random, link: start >= samplesFrom ? linkRandom : null },
      cluster,
      lesson,
      liveStart,
      liveEnd,
    );
    const held: Lesson = {
      ...lesson,
      state: 'ended',
      startedAt: new Date(liveStart),
      endedAt: new Date(liveEnd),
    };
    const judged = judgeSession(recordOf(held, record.events), rules, liveEnd);
    // Stored as the report service stores a judgement when a lesson ends.
    held.delivery = { ...judged, judgedAt: new Date(liveEnd), rules };
    verdicts[judged.verdict] = (verdicts[judged.verdict] ?? 0) + 1;
    lessons.push(held);
    events.push(...record.events);
    samples.push(...record.samples);
  }
  if (lessons.length) await models.Lesson.insertMany(lessons);
  // Events and samples are plain records of what happened: no document per row needed.
  if (events.length) await models.LessonEvent.insertMany(events, { lean: true });
  if (samples.length) await models.LinkSample.insertMany(samples, { lean: true });
  return { lessons: lessons.length, verdicts, events: events.length, samples: samples.length };
}

/**
 * Which of `n` lessons were never taught (about 4 %) and which ended early (about 7 %), at
 * least one of each in a term, at places drawn by `random`; the others were taught through.
 */
function outcomes(random: Random, n: number): ('missed' | 'short' | 'taught')[] {
  const out = new Array<'missed' | 'short' | 'taught'>(n).fill('taught');
  const place = (what: 'missed' | 'short', count: number): void => {
    for (let placed = 0; placed < count;) {
      const i = randomBetween(random, 0, n - 1);
      if (out[i] !== 'taught') continue;
      out[i] = what;
      placed++;
    }
  };
  if (n >= 10) {
    place('missed', Math.max(1, Math.round(n * 0.04)));
    place('short', Math.max(1, Math.round(n * 0.07)));
  }
  return out;
}

/** A participant's connection stretches, ms. */
type Stretch = [number, number];

/**
 * What the recorder would have written for one taught lesson: the teacher in the studio
 * before going live, the kiosks joining as it goes live (late, partly or not at all, by
 * chance and by their link), head counts, leaves when it ends, and (given a `link` random
 * stream) a link sample for every minute each participant was connected.
 */
function taughtLesson(
  randoms: { attendance: Random; link: Random | null },
  cluster: ClusterHistory,
  lesson: Lesson,
  liveStart: number,
  liveEnd: number,
): { events: LessonEvent[]; samples: Omit<LinkSample, '_id'>[] } {
  const random = randoms.attendance;
  const events: LessonEvent[] = [];
  const samples: Omit<LinkSample, '_id'>[] = [];
  const sample = (
    role: 'teacher' | 'classroom',
    refId: string,
    kind: LinkKind | 'hub',
    stretches: Stretch[],
  ): void => {
    if (randoms.link) sampleStretches(randoms.link, samples, lesson._id, role, refId, kind, stretches);
  };
  const event = (at: number, fields: Partial<LessonEvent>): void => {
    events.push({
      _id: new mongoose.Types.ObjectId(),
      lessonId: lesson._id,
      at: new Date(at),
      kind: 'live',
      role: null,
      refId: null,
      count: null,
      reconciled: false,
      ...fields,
    });
  };
  const teacher = lesson.teacherId.toString();
  const teacherJoin = liveStart - randomBetween(random, 30, 150) * SEC;
  event(teacherJoin, { kind: 'join', role: 'teacher', refId: teacher });
  event(liveStart, { kind: 'live' });
  sample('teacher', teacher, 'hub', [[teacherJoin, liveEnd]]);
  for (const room of cluster.classrooms) {
    const kind = linkKind(room);
    const chance = CHANCES[kind];
    const r = random();
    if (r < chance.absent) continue;
    const refId = room.id.toString();
    const late = r < chance.absent + chance.late;
    const join =
      liveStart +
      (late ? randomBetween(random, 5 * 60 + 30, 7 * 60 + 30) : randomBetween(random, 3, 50)) * SEC;
    const stretches: Stretch[] = [];
    if (r >= 1 - chance.partial) {
      // Gone for a good part of the lesson (the school's link down), back before the end.
      const away = join + randomBetween(random, 5, 15) * MIN;
      stretches.push([join, away], [away + randomBetween(random, 12, 20) * MIN, liveEnd]);
    } else {
      // Short drops and reconnects, on the thinner links.
      let from = join;
      for (let d = randomBetween(random, 0, chance.drops); d > 0; d--) {
        const at = from + randomBetween(random, 4, 12) * MIN;
        if (at >= liveEnd - 3 * MIN) break;
        stretches.push([from, at]);
        from = at + randomBetween(random, 15, 90) * SEC;
      }
      stretches.push([from, liveEnd]);
    }
    const live = stretches.map(([a, b]): Stretch => [a, Math.min(b, liveEnd)]).filter(([a, b]) => b > a);
    for (const [a, b] of live) {
      event(a, { kind: 'join', role: 'classroom', refId });
      event(b, { kind: 'leave', role: 'classroom', refId });
    }
    // The assistant teacher confirms the head count (a few forget).
    if (random() < 0.9)
      event(join + randomBetween(random, 40, 180) * SEC, {
        kind: 'headcount',
        role: 'classroom',
        refId,
        count: Math.max(1, room.classSize - randomBetween(random, 0, Math.min(3, room.classSize - 1))),
      });
    sample('classroom', refId, kind, live);
  }
  event(liveEnd, { kind: 'leave', role: 'teacher', refId: teacher });
  event(liveEnd, { kind: 'ended' });
  return { events, samples };
}

/**
 * A sample at each minute tick inside the stretches, as the recorder takes them (its
 * one-minute timer, here half a minute into each minute), with figures of the link's kind
 * and, on thin links, now and then a bad minute.
 */
function sampleStretches(
  random: Random,
  out: Omit<LinkSample, '_id'>[],
  lessonId: Id,
  role: 'teacher' | 'classroom',
  refId: string,
  kind: LinkKind | 'hub',
  stretches: readonly Stretch[],
): void {
  const link = LINKS[kind];
  for (const [a, b] of stretches)
    for (let minute = Math.floor((a - 30 * SEC) / MIN) * MIN; minute + 30 * SEC <= b; minute += MIN) {
      if (minute + 30 * SEC < a) continue;
      const bad = kind === 'thin' && random() < 0.08;
      out.push({
        lessonId,
        minute: new Date(minute),
        role,
        refId,
        connection: 'connected',
        rttMs: Math.round(between(random, link.rtt) * (bad ? 3 : 1)),
        lossPct: Math.round(between(random, link.loss) * (bad ? 3 : 1) * 10) / 10,
        recvBitrate: Math.round(between(random, link.recv) * (bad ? 0.4 : 1)) * 1000,
        sendBitrate: Math.round(between(random, link.send) * (bad ? 0.5 : 1)) * 1000,
      });
    }
}
