import { api } from '../../api.ts';
import type { Row } from '../../api.ts';
import type { TeacherChoice } from './state.ts';

/** The alliances the account reads (a teacher: those it leads or belongs to; others: by region). */
export async function fetchAlliances(): Promise<Row[]> {
  return (await api.list('alliances', { pageSize: 200 })).items;
}

/** The teachers in the account's scope with their schools' names (for bureaus and admins). */
export async function fetchTeachers(): Promise<TeacherChoice[]> {
  const [users, schools] = await Promise.all([
    api.list('users', { role: 'teacher', pageSize: 200 }),
    api.list('schools', { pageSize: 200 }),
  ]);
  const schoolName = new Map(schools.items.map((s) => [s.id, String(s['name'])]));
  return users.items.map((u) => ({
    id: u.id,
    name: String(u['realName'] ?? u['username']),
    schoolName: schoolName.get(String(u['schoolId'])) ?? '',
  }));
}

/** Creates (no id) or updates an alliance; a 400 carries the field issues. */
export function saveAlliance(id: string | null, body: Record<string, unknown>): Promise<Row> {
  return id ? api.update('alliances', id, body) : api.create('alliances', body);
}

/** Deletes an alliance with its sessions not yet held (409 once one was held). */
export function removeAlliance(id: string): Promise<void> {
  return api.remove('alliances', id);
}

/** The sessions of an alliance. */
export async function fetchSessions(allianceId: string): Promise<Row[]> {
  return (await api.list('research-sessions', { allianceId, pageSize: 200 })).items;
}

/** Schedules a session. */
export function scheduleSession(body: Record<string, unknown>): Promise<Row> {
  return api.create('research-sessions', body);
}

/** Cancels a session that has not gone live. */
export function cancelSession(id: string): Promise<void> {
  return api.remove('research-sessions', id);
}
