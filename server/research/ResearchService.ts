import mongoose from 'mongoose';
import { TypedEmitter } from '../../sfu/index.ts';
import { Scope } from '../auth/Scope.ts';
import type { Identity } from '../auth/tokens.ts';
import { RESEARCH_GRID_MAX } from '../contract/research.ts';
import type { ResearchSessionView } from '../contract/research.ts';
import type { BoardAuthor } from '../contract/board.ts';
import { ConflictError, ForbiddenError, InvalidStateError, NotFoundError } from '../errors.ts';
import type { Alliance, Models, ResearchSession } from '../models/index.ts';
import { allianceFilter } from '../resources/researchSessions.ts';
import { withId } from '../resources/Resource.ts';

/** How early before its scheduled start a research session may be opened, ms. */
export const EARLY_JOIN_MS = 15 * 60_000;

export interface ResearchServiceEvents extends Record<string, unknown[]> {
  /** A session ended (its media and board close where they are hosted). */
  ended: [sessionId: string];
}

/** How a teacher takes part in a session's board, and who else may be handed the pen. */
export interface ResearchBoardSeat {
  /** The leading teacher writes as the board's `teacher`; the others as a `classroom` (their user id). */
  by: BoardAuthor;
  /** The alliance's teachers (user ids), leader first: those who may be given the pen. */
  teacherIds: string[];
}

/**
 * 网络教研 sessions as their teachers live them: the session's view (its alliance's teachers,
 * who joined), joining (the first join opens it: it counts as held; every teacher who joins
 * counts as taking part), its board's seats, and ending it (its leading teacher, or an
 * overseer of its region), which is announced (`ended`).
 */
export class ResearchService extends TypedEmitter<ResearchServiceEvents> {
  readonly #models: Models;
  readonly #now: () => number;

  constructor(models: Models, now: () => number = Date.now) {
    super();
    this.#models = models;
    this.#now = now;
  }

  /** The session and its alliance, if the caller may see them; NotFoundError otherwise. */
  async #find(identity: Identity, id: string): Promise<{ session: ResearchSession; alliance: Alliance }> {
    const _id = mongoose.isValidObjectId(id) ? new mongoose.Types.ObjectId(id) : null;
    const session = _id && (await this.#models.ResearchSession.findById(_id).lean<ResearchSession>());
    const scope = await Scope.resolve(this.#models, identity);
    const alliance =
      session &&
      (await this.#models.Alliance.findOne(
        withId(await allianceFilter(scope, this.#models), session.allianceId),
      ).lean<Alliance>());
    if (!session || !alliance) throw new NotFoundError(`research session ${id} not found`);
    return { session, alliance };
  }

  async view(identity: Identity, id: string): Promise<ResearchSessionView> {
    const { session, alliance } = await this.#find(identity, id);
    return this.#view(identity, session, alliance);
  }

  /** A teacher of the alliance joins: the session goes live (held) and the teacher is counted. */
  async join(identity: Identity, id: string): Promise<ResearchSessionView> {
    const { session, alliance } = await this.#find(identity, id);
    if (!teachersOf(alliance).some((t) => t.equals(identity.userId)))
      throw new ForbiddenError('only the alliance’s teachers take part in its sessions');
    const now = this.#now();
    if (session.state === 'ended') throw new ConflictError('this research session has ended');
    if (now < session.scheduledStart.getTime() - EARLY_JOIN_MS)
      throw new ConflictError('this research session opens 15 minutes before it starts');
    const updated = await this.#models.ResearchSession.findOneAndUpdate(
      { _id: session._id, state: { $ne: 'ended' } },
      {
        $set: { state: 'live', startedAt: session.startedAt ?? new Date(now) },
        $addToSet: { attendeeIds: new mongoose.Types.ObjectId(identity.userId) },
      },
      { returnDocument: 'after' },
    ).lean<ResearchSession>();
    if (!updated) throw new ConflictError('this research session has ended');
    return this.#view(identity, updated, alliance);
  }

  /** Its leading teacher or an overseer of its region ends a live session. */
  async end(identity: Identity, id: string): Promise<ResearchSessionView> {
    const { session, alliance } = await this.#find(identity, id);
    if (identity.role === 'teacher' && !alliance.leadTeacherId.equals(identity.userId))
      throw new ForbiddenError('only the leading teacher ends the session');
    if (session.state !== 'live') throw new ConflictError(`the session is ${session.state}, not live`);
    const updated = await this.#models.ResearchSession.findOneAndUpdate(
      { _id: session._id, state: 'live' },
      { $set: { state: 'ended', endedAt: new Date(this.#now()) } },
      { returnDocument: 'after' },
    ).lean<ResearchSession>();
    if (!updated) throw new ConflictError('the session is no longer live');
    this.safeEmit('ended', id);
    return this.#view(identity, updated, alliance);
  }

  /**
   * The caller's seat at the session's board: the leading teacher holds it as the board's
   * teacher (pages, courseware, the pen), every other teacher of the alliance as a
   * classroom would (writes only with the pen).
   * @throws ForbiddenError for anyone but the alliance's teachers; InvalidStateError once ended
   */
  async boardSeat(identity: Identity, id: string): Promise<ResearchBoardSeat> {
    const { session, alliance } = await this.#find(identity, id);
    const teacherIds = teachersOf(alliance).map(String);
    if (!teacherIds.includes(identity.userId))
      throw new ForbiddenError('only the alliance’s teachers take part in its sessions');
    if (session.state === 'ended')
      throw new InvalidStateError('this research session has ended; its board is read-only');
    const lead = alliance.leadTeacherId.equals(identity.userId);
    return { by: { role: lead ? 'teacher' : 'classroom', refId: identity.userId }, teacherIds };
  }

  async #view(identity: Identity, s: ResearchSession, alliance: Alliance): Promise<ResearchSessionView> {
    const ids = teachersOf(alliance);
    const users = await this.#models.User.find({ _id: { $in: ids } }, { realName: 1, schoolId: 1 }).lean();
    const schools = new Map(
      (
        await this.#models.School.find(
          { _id: { $in: users.flatMap((u) => (u.schoolId ? [u.schoolId] : [])) } },
          { name: 1 },
        ).lean()
      ).map((sc) => [sc._id.toString(), sc.name]),
    );
    const byId = new Map(users.map((u) => [u._id.toString(), u]));
    return {
      id: s._id.toString(),
      allianceId: alliance._id.toString(),
      allianceName: alliance.name,
      subject: alliance.subject,
      title: s.title,
      agenda: s.agenda,
      scheduledStart: s.scheduledStart.toISOString(),
      scheduledEnd: s.scheduledEnd.toISOString(),
      state: s.state,
      members: ids.map((id, i) => {
        const u = byId.get(id.toString());
        return {
          id: id.toString(),
          name: u?.realName ?? '',
          schoolName: (u?.schoolId && schools.get(u.schoolId.toString())) || '',
          lead: i === 0,
        };
      }),
      attendeeIds: s.attendeeIds.map(String),
      canJoin: ids.some((t) => t.equals(identity.userId)) && s.state !== 'ended',
      gridMax: RESEARCH_GRID_MAX,
    };
  }
}

/** An alliance's teachers, leader first. */
export function teachersOf(
  alliance: Pick<Alliance, 'leadTeacherId' | 'memberTeacherIds'>,
): mongoose.Types.ObjectId[] {
  return [
    alliance.leadTeacherId,
    ...alliance.memberTeacherIds.filter((m) => !m.equals(alliance.leadTeacherId)),
  ];
}
