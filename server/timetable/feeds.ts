import crypto from 'node:crypto';
import ical, { ICalEventStatus } from 'ical-generator';
import mongoose from 'mongoose';
import type { Identity } from '../auth/tokens.ts';
import type { Scope } from '../auth/Scope.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { CalendarFeed, Lesson, Models } from '../models/index.ts';
import { clusterInScope } from '../resources/scoping.ts';

export type FeedKind = CalendarFeed['kind'];

const hash = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

/** Whose lessons a feed of `kind` may show to `identity`, and the feed's label. @throws NotFoundError, ForbiddenError */
async function subjectLabel(
  models: Models,
  identity: Identity,
  scope: Scope,
  kind: FeedKind,
  subjectId: string,
): Promise<string> {
  const id = new mongoose.Types.ObjectId(subjectId);
  const managers = ['admin', 'bureau', 'coordinator'];
  if (kind === 'teacher') {
    const teacher = await models.User.findOne({ _id: id, role: 'teacher' }).lean();
    const schools = await scope.schoolIdsIn(models);
    const mine = identity.userId === subjectId;
    const managed =
      managers.includes(identity.role) &&
      teacher &&
      (schools === 'all' || schools.some((s) => s.equals(teacher.schoolId)));
    if (!teacher || !(mine || managed)) throw new NotFoundError(`teacher ${subjectId} not found`);
    return `${teacher.realName} 的同步课堂课表`;
  }
  if (kind === 'classroom') {
    const room = await models.Classroom.findById(id).lean();
    const schools = await scope.schoolIdsIn(models);
    const mine = identity.classroomId === subjectId;
    const managed =
      managers.includes(identity.role) &&
      room &&
      (schools === 'all' || schools.some((s) => s.equals(room.schoolId)));
    if (!room || !(mine || managed)) throw new NotFoundError(`classroom ${subjectId} not found`);
    return `${room.name} 的同步课堂课表`;
  }
  if (!managers.includes(identity.role))
    throw new ForbiddenError('only managers subscribe to a whole cluster');
  const cluster = await clusterInScope(scope, models, id);
  return `${cluster.name} 同步课堂课表`;
}

/**
 * Creates a subscribable feed and returns its secret token, shown once (only its hash is
 * kept). Teachers subscribe to their own lessons, classroom devices to their classroom's,
 * managers to any teacher, classroom or cluster in their scope.
 */
export async function createFeed(
  models: Models,
  identity: Identity,
  scope: Scope,
  kind: FeedKind,
  subjectId: string,
): Promise<{ feed: CalendarFeed; token: string }> {
  const label = await subjectLabel(models, identity, scope, kind, subjectId);
  const token = crypto.randomBytes(24).toString('base64url');
  const feed = await models.CalendarFeed.create({
    tokenHash: hash(token),
    kind,
    subjectId,
    label,
    createdBy: identity.userId,
  });
  return { feed: feed.toObject(), token };
}

/** The feeds `identity` created and has not revoked. */
export function listFeeds(models: Models, identity: Identity): Promise<CalendarFeed[]> {
  return models.CalendarFeed.find({ createdBy: identity.userId, revokedAt: null })
    .sort({ _id: -1 })
    .lean<CalendarFeed[]>();
}

/** Revokes a feed its creator (or an admin) no longer wants. @throws NotFoundError */
export async function revokeFeed(
  models: Models,
  identity: Identity,
  feedId: string,
  now: number,
): Promise<void> {
  const owner = identity.role === 'admin' ? {} : { createdBy: identity.userId };
  const res = await models.CalendarFeed.updateOne(
    { _id: feedId, revokedAt: null, ...owner },
    { $set: { revokedAt: new Date(now) } },
  );
  if (!res.matchedCount) throw new NotFoundError(`feed ${feedId} not found`);
}

/** Lessons from 30 days back on. */
const WINDOW_BACK_MS = 30 * 86_400_000;
const MAX_EVENTS = 3000;

/**
 * The iCal text of the feed with `token`: its lessons from a month ago on, each an event
 * with a stable id so calendar apps update rather than duplicate.
 *
 * @throws NotFoundError for an unknown or revoked token
 */
export async function feedCalendar(models: Models, token: string, now: number): Promise<string> {
  const feed = await models.CalendarFeed.findOne({
    tokenHash: hash(token),
    revokedAt: null,
  }).lean<CalendarFeed>();
  if (!feed) throw new NotFoundError('no such calendar feed');
  const whose =
    feed.kind === 'teacher'
      ? { teacherId: feed.subjectId }
      : feed.kind === 'classroom'
        ? { $or: [{ classroomIds: feed.subjectId }, { hubClassroomId: feed.subjectId }] }
        : { clusterId: feed.subjectId };
  const lessons = await models.Lesson.find({
    ...whose,
    scheduledStart: { $gte: new Date(now - WINDOW_BACK_MS) },
  })
    .sort({ scheduledStart: 1 })
    .limit(MAX_EVENTS)
    .lean<Lesson[]>();
  const rooms = await models.Classroom.find({ _id: { $in: lessons.map((l) => l.hubClassroomId) } }).lean();
  const teachers = await models.User.find(
    { _id: { $in: lessons.map((l) => l.teacherId) } },
    { realName: 1 },
  ).lean();
  const calendar = ical({
    name: feed.label,
    prodId: { company: 'sync-classroom', product: 'timetable', language: 'ZH' },
    ttl: 3600,
  });
  for (const l of lessons) {
    const teacher = teachers.find((t) => t._id.equals(l.teacherId))?.realName ?? '';
    const room = rooms.find((r) => r._id.equals(l.hubClassroomId))?.name ?? '';
    calendar.createEvent({
      id: `${l._id.toString()}@sync-classroom`,
      start: l.scheduledStart,
      end: l.scheduledEnd,
      stamp: new Date(now),
      summary: `同步课堂：${l.title}`,
      description: `主讲教师 ${teacher}，${l.classroomIds.length} 个接收教室`,
      location: room,
      status: ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
