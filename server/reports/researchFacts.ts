import type { ResearchData } from '../../scheduler/delivery/index.ts';
import type { Models, User } from '../models/index.ts';

/**
 * The 网络教研 rows of a region's report: the alliances organized in it, their sessions
 * scheduled in the period (held once they went live), and the teachers of the report's
 * schools with whether they joined a session held in the period — any alliance's, so a
 * county teacher in a province alliance counts in the county. A few thousand alliances and
 * sessions a province-year: read per report, not rolled up.
 */
export async function researchData(
  models: Models,
  prefix: string,
  period: { from: number; to: number },
  schools: ReadonlyMap<string, unknown>,
  users: ReadonlyMap<string, Pick<User, '_id' | 'schoolId' | 'role'>>,
): Promise<ResearchData> {
  const alliances = await models.Alliance.find(
    { regionCode: { $regex: `^${prefix}` } },
    { level: 1, regionCode: 1 },
  ).lean();
  const sessions = await models.ResearchSession.find(
    { scheduledStart: { $gte: new Date(period.from), $lt: new Date(period.to) } },
    { allianceId: 1, scheduledStart: 1, startedAt: 1, attendeeIds: 1 },
  ).lean();
  const tookPart = new Set(sessions.flatMap((s) => (s.startedAt ? s.attendeeIds.map(String) : [])));
  const ids = new Set(alliances.map((a) => a._id.toString()));
  const teachers: ResearchData['teachers'][number][] = [];
  for (const [id, u] of users) {
    const schoolId = u.schoolId?.toString();
    if (u.role !== 'teacher' || !schoolId || !schools.has(schoolId)) continue;
    teachers.push({ teacherId: id, schoolId, tookPart: tookPart.has(id) });
  }
  return {
    alliances: alliances.map((a) => ({ id: a._id.toString(), level: a.level, regionCode: a.regionCode })),
    sessions: sessions
      .filter((s) => ids.has(s.allianceId.toString()))
      .map((s) => ({
        id: s._id.toString(),
        allianceId: s.allianceId.toString(),
        scheduledStart: s.scheduledStart.getTime(),
        held: s.startedAt !== null,
      })),
    teachers,
  };
}
