import mongoose from 'mongoose';
import type { Lesson, Models, Recording } from '../models/index.ts';

/**
 * What a recording is of: a lesson, or a research session (网络教研活动). Both are recorded the
 * same way: their media room is named by their id (a session's room is a lesson room whose
 * participants are teachers), and their board is the lesson board keyed by that id. The
 * Recording is named by that id too (`Recording.lessonId`).
 */
export interface RecordedSubject {
  kind: 'lesson' | 'research';
  id: mongoose.Types.ObjectId;
  state: 'scheduled' | 'live' | 'ended';
  startedAt: Date | null;
  endedAt: Date | null;
  /** The lesson's cluster (its recording policy and storage quota); null for a research session. */
  clusterId: mongoose.Types.ObjectId | null;
  /**
   * Whose camera is the recording's main picture when several teachers send (a research
   * session: its leading teacher); null for a lesson (it has one teacher).
   */
  leadRefId: string | null;
  /** The fields a new Recording of it copies (so that the library filters without joins). */
  fields: Pick<Recording, 'kind' | 'teacherId' | 'schoolIds' | 'title' | 'subject'> &
    Partial<Pick<Recording, 'clusterId' | 'grade' | 'allianceId' | 'regionCode'>>;
}

/** The lesson or research session with this id, or null when there is neither. */
export async function subjectOf(models: Models, id: string): Promise<RecordedSubject | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const lesson = await models.Lesson.findById(id).lean<Lesson>();
  if (lesson) return lessonSubject(models, lesson);
  const session = await models.ResearchSession.findById(id).lean();
  const alliance = session && (await models.Alliance.findById(session.allianceId).lean());
  if (!session || !alliance) return null;
  const teacherIds = [alliance.leadTeacherId, ...alliance.memberTeacherIds];
  const schools = await models.User.find({ _id: { $in: teacherIds } }, { schoolId: 1 }).lean();
  return {
    kind: 'research',
    id: session._id,
    state: session.state,
    startedAt: session.startedAt ?? null,
    endedAt: session.endedAt ?? null,
    clusterId: null,
    leadRefId: alliance.leadTeacherId.toString(),
    fields: {
      kind: 'research',
      teacherId: alliance.leadTeacherId,
      schoolIds: uniqueIds(schools.map((u) => u.schoolId)),
      title: session.title,
      subject: alliance.subject,
      allianceId: alliance._id,
      regionCode: alliance.regionCode,
    },
  };
}

async function lessonSubject(models: Models, lesson: Lesson): Promise<RecordedSubject> {
  const classrooms = await models.Classroom.find(
    { _id: { $in: [lesson.hubClassroomId, ...lesson.classroomIds] } },
    { schoolId: 1 },
  ).lean();
  const hub = classrooms.find((c) => c._id.equals(lesson.hubClassroomId))?.schoolId;
  return {
    kind: 'lesson',
    id: lesson._id,
    state: lesson.state,
    startedAt: lesson.startedAt ?? null,
    endedAt: lesson.endedAt ?? null,
    clusterId: lesson.clusterId,
    leadRefId: null,
    fields: {
      kind: 'lesson',
      clusterId: lesson.clusterId,
      teacherId: lesson.teacherId,
      schoolIds: uniqueIds([hub, ...classrooms.map((c) => c.schoolId)]),
      title: lesson.title,
      subject: lesson.subject,
      grade: lesson.grade,
    },
  };
}

/** Distinct ids, in first-seen order (the hub school first). */
function uniqueIds(ids: readonly (mongoose.Types.ObjectId | null | undefined)[]): mongoose.Types.ObjectId[] {
  const seen = new Map<string, mongoose.Types.ObjectId>();
  for (const id of ids) if (id && !seen.has(id.toString())) seen.set(id.toString(), id);
  return [...seen.values()];
}
