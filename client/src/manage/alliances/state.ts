import type { UserView } from '../../../../server/contract/api.ts';
import type { Row } from '../../api.ts';
import type { FieldIssue } from '../issues.ts';

/** An alliance's level: province, city or county. */
export type Level = 'province' | 'city' | 'county';
/** The stages an alliance is organized for (server/models/Alliance.ts STAGES). */
export const STAGES = ['primary', 'junior', 'senior'] as const;
export const LEVELS: readonly Level[] = ['province', 'city', 'county'];

/** A teacher who may lead or join an alliance, with their school's name. */
export interface TeacherChoice {
  id: string;
  name: string;
  schoolName: string;
}

/** An alliance as edited (id null: a new one). */
export interface AllianceDraft {
  id: string | null;
  name: string;
  level: Level;
  regionCode: string;
  subject: string;
  stage: (typeof STAGES)[number];
  leadTeacherId: string;
  memberTeacherIds: Set<string>;
  description: string;
}

/** A research session scheduled from the form: local date and times of day. */
export interface SessionDraft {
  title: string;
  agenda: string;
  date: string;
  start: string;
  end: string;
}

/** What the alliances panel holds. */
export interface AlliancesState {
  rows: Row[];
  /** Teachers the account may pick (bureaus and admins; empty for others). */
  teachers: TeacherChoice[];
  draft: AllianceDraft | null;
  issues: FieldIssue[];
  /** The alliance whose sessions are shown. */
  selected: string | null;
  sessions: Row[];
  sessionDraft: SessionDraft | null;
  sessionIssues: FieldIssue[];
}

/** The level a region code is at: 430000 a province, 430700 a city, 430725 a county (as the server judges it). */
export function levelOfCode(code: string): Level {
  return code.endsWith('0000') ? 'province' : code.endsWith('00') ? 'city' : 'county';
}

/** A draft of `row`, or a new alliance. */
export function draftOf(row: Row | null): AllianceDraft {
  if (!row)
    return {
      id: null,
      name: '',
      level: 'county',
      regionCode: '',
      subject: '',
      stage: 'primary',
      leadTeacherId: '',
      memberTeacherIds: new Set(),
      description: '',
    };
  return {
    id: row.id,
    name: String(row['name']),
    level: row['level'] as Level,
    regionCode: String(row['regionCode']),
    subject: String(row['subject']),
    stage: row['stage'] as AllianceDraft['stage'],
    leadTeacherId: String(row['leadTeacherId']),
    memberTeacherIds: new Set((row['memberTeacherIds'] as string[]).map(String)),
    description: typeof row['description'] === 'string' ? row['description'] : '',
  };
}

/** The request body of a draft (the leader is not listed again among the members). */
export function bodyOf(d: AllianceDraft): Record<string, unknown> {
  return {
    name: d.name.trim(),
    level: d.level,
    regionCode: d.regionCode.trim(),
    subject: d.subject.trim(),
    stage: d.stage,
    leadTeacherId: d.leadTeacherId,
    memberTeacherIds: [...d.memberTeacherIds].filter((id) => id !== d.leadTeacherId),
    description: d.description.trim(),
  };
}

/** Whether `user` may schedule sessions of `alliance`: an overseer who writes, or its leading teacher. */
export function maySchedule(user: UserView, alliance: Row | undefined): boolean {
  if (!alliance) return false;
  if (user.role === 'teacher') return String(alliance['leadTeacherId']) === user.id;
  return user.role === 'admin' || user.role === 'bureau';
}

/** An empty session form for the day after `now` (epoch ms), 15:30–16:30 local time. */
export function newSession(now: number): SessionDraft {
  const d = new Date(now + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    title: '',
    agenda: '',
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    start: '15:30',
    end: '16:30',
  };
}

/** The request body of a session draft: the local date and times as ISO instants. */
export function sessionBody(allianceId: string, s: SessionDraft): Record<string, unknown> {
  const at = (time: string): string => {
    const instant = new Date(`${s.date}T${time}`);
    return Number.isNaN(instant.getTime()) ? '' : instant.toISOString();
  };
  return {
    allianceId,
    title: s.title.trim(),
    agenda: s.agenda.trim(),
    scheduledStart: at(s.start),
    scheduledEnd: at(s.end),
  };
}

/** Sessions newest first (by scheduled start). */
export const bySchedule = (rows: readonly Row[]): Row[] =>
  [...rows].sort((a, b) => String(b['scheduledStart']).localeCompare(String(a['scheduledStart'])));
