import type { Connection, Model } from 'mongoose';
import { allianceSchema } from './Alliance.ts';
import type { Alliance } from './Alliance.ts';
import { evaluationSchema } from './Evaluation.ts';
import type { Evaluation } from './Evaluation.ts';
import { researchSessionSchema } from './ResearchSession.ts';
import type { ResearchSession } from './ResearchSession.ts';
import { rubricSchema } from './Rubric.ts';
import type { Rubric } from './Rubric.ts';
import { auditEntrySchema } from './AuditEntry.ts';
import type { AuditEntry } from './AuditEntry.ts';
import { boardAssetSchema } from './BoardAsset.ts';
import type { BoardAsset } from './BoardAsset.ts';
import { boardChunkSchema } from './BoardChunk.ts';
import type { BoardChunk } from './BoardChunk.ts';
import { bellScheduleSchema } from './BellSchedule.ts';
import type { BellSchedule } from './BellSchedule.ts';
import { calendarFeedSchema } from './CalendarFeed.ts';
import type { CalendarFeed } from './CalendarFeed.ts';
import { classroomSchema } from './Classroom.ts';
import type { Classroom } from './Classroom.ts';
import { clusterSchema } from './Cluster.ts';
import { coPlanSchema } from './CoPlan.ts';
import type { CoPlan } from './CoPlan.ts';
import { deviceEnrolmentSchema } from './DeviceEnrolment.ts';
import type { DeviceEnrolment } from './DeviceEnrolment.ts';
import type { Cluster } from './Cluster.ts';
import { inspectionNoteSchema } from './InspectionNote.ts';
import type { InspectionNote } from './InspectionNote.ts';
import { inspectionPolicySchema } from './InspectionPolicy.ts';
import type { InspectionPolicy } from './InspectionPolicy.ts';
import { lessonEventSchema } from './LessonEvent.ts';
import type { LessonEvent } from './LessonEvent.ts';
import { lessonInteractionSchema } from './LessonInteraction.ts';
import type { LessonInteraction } from './LessonInteraction.ts';
import { lessonSchema } from './Lesson.ts';
import type { Lesson } from './Lesson.ts';
import { linkSampleSchema } from './LinkSample.ts';
import { localTimetableSchema } from './LocalTimetable.ts';
import type { LocalTimetable, LocalTimetableLesson } from './LocalTimetable.ts';
import type { LinkSample } from './LinkSample.ts';
import { offeringSchema } from './Offering.ts';
import { recordingSchema, recordingSettingsSchema } from './Recording.ts';
import type { Recording, RecordingSettings } from './Recording.ts';
import type { Offering } from './Offering.ts';
import { refreshTokenSchema } from './RefreshToken.ts';
import type { RefreshToken } from './RefreshToken.ts';
import { regionSchema } from './Region.ts';
import type { Region } from './Region.ts';
import { schoolSchema } from './School.ts';
import type { School } from './School.ts';
import { teachingClassSchema } from './TeachingClass.ts';
import type { TeachingClass } from './TeachingClass.ts';
import { termCalendarSchema } from './TermCalendar.ts';
import type { TermCalendar } from './TermCalendar.ts';
import { timetableSchema } from './Timetable.ts';
import type { Timetable, TimetableSession } from './Timetable.ts';
import { userSchema } from './User.ts';
import type { User } from './User.ts';

export type {
  Alliance,
  Evaluation,
  ResearchSession,
  Rubric,
  AuditEntry,
  BellSchedule,
  BoardAsset,
  BoardChunk,
  CalendarFeed,
  Classroom,
  Cluster,
  CoPlan,
  DeviceEnrolment,
  InspectionNote,
  InspectionPolicy,
  Lesson,
  LessonEvent,
  LessonInteraction,
  LinkSample,
  LocalTimetable,
  LocalTimetableLesson,
  Offering,
  Recording,
  RecordingSettings,
  RefreshToken,
  Region,
  School,
  TeachingClass,
  TermCalendar,
  Timetable,
  TimetableSession,
  User,
};
export { ROLES } from './User.ts';

export interface Models {
  Region: Model<Region>;
  School: Model<School>;
  Cluster: Model<Cluster>;
  Classroom: Model<Classroom>;
  TeachingClass: Model<TeachingClass>;
  User: Model<User>;
  Offering: Model<Offering>;
  BellSchedule: Model<BellSchedule>;
  TermCalendar: Model<TermCalendar>;
  Lesson: Model<Lesson>;
  AuditEntry: Model<AuditEntry>;
  RefreshToken: Model<RefreshToken>;
  Timetable: Model<Timetable>;
  CalendarFeed: Model<CalendarFeed>;
  LessonEvent: Model<LessonEvent>;
  LinkSample: Model<LinkSample>;
  BoardChunk: Model<BoardChunk>;
  BoardAsset: Model<BoardAsset>;
  DeviceEnrolment: Model<DeviceEnrolment>;
  LessonInteraction: Model<LessonInteraction>;
  Recording: Model<Recording>;
  RecordingSettings: Model<RecordingSettings>;
  LocalTimetable: Model<LocalTimetable>;
  CoPlan: Model<CoPlan>;
  Rubric: Model<Rubric>;
  Evaluation: Model<Evaluation>;
  Alliance: Model<Alliance>;
  ResearchSession: Model<ResearchSession>;
  InspectionNote: Model<InspectionNote>;
  InspectionPolicy: Model<InspectionPolicy>;
}

/** Binds the platform's models to a connection (one per platform instance). */
export function createModels(connection: Connection): Models {
  return {
    Region: connection.model<Region>('Region', regionSchema),
    School: connection.model<School>('School', schoolSchema),
    Cluster: connection.model<Cluster>('Cluster', clusterSchema),
    Classroom: connection.model<Classroom>('Classroom', classroomSchema),
    TeachingClass: connection.model<TeachingClass>('TeachingClass', teachingClassSchema),
    User: connection.model<User>('User', userSchema),
    Offering: connection.model<Offering>('Offering', offeringSchema),
    BellSchedule: connection.model<BellSchedule>('BellSchedule', bellScheduleSchema),
    TermCalendar: connection.model<TermCalendar>('TermCalendar', termCalendarSchema),
    Lesson: connection.model<Lesson>('Lesson', lessonSchema),
    AuditEntry: connection.model<AuditEntry>('AuditEntry', auditEntrySchema),
    RefreshToken: connection.model<RefreshToken>('RefreshToken', refreshTokenSchema),
    Timetable: connection.model<Timetable>('Timetable', timetableSchema),
    CalendarFeed: connection.model<CalendarFeed>('CalendarFeed', calendarFeedSchema),
    LessonEvent: connection.model<LessonEvent>('LessonEvent', lessonEventSchema),
    LinkSample: connection.model<LinkSample>('LinkSample', linkSampleSchema),
    BoardChunk: connection.model<BoardChunk>('BoardChunk', boardChunkSchema),
    BoardAsset: connection.model<BoardAsset>('BoardAsset', boardAssetSchema),
    DeviceEnrolment: connection.model<DeviceEnrolment>('DeviceEnrolment', deviceEnrolmentSchema),
    LessonInteraction: connection.model<LessonInteraction>('LessonInteraction', lessonInteractionSchema),
    Recording: connection.model<Recording>('Recording', recordingSchema),
    RecordingSettings: connection.model<RecordingSettings>('RecordingSettings', recordingSettingsSchema),
    LocalTimetable: connection.model<LocalTimetable>('LocalTimetable', localTimetableSchema),
    CoPlan: connection.model<CoPlan>('CoPlan', coPlanSchema),
    Rubric: connection.model<Rubric>('Rubric', rubricSchema),
    Evaluation: connection.model<Evaluation>('Evaluation', evaluationSchema),
    Alliance: connection.model<Alliance>('Alliance', allianceSchema),
    ResearchSession: connection.model<ResearchSession>('ResearchSession', researchSessionSchema),
    InspectionNote: connection.model<InspectionNote>('InspectionNote', inspectionNoteSchema),
    InspectionPolicy: connection.model<InspectionPolicy>('InspectionPolicy', inspectionPolicySchema),
  };
}

/** Builds every declared index (idempotent). */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) await model.createIndexes();
}
