/**
 * The province year bench:reports measures, and the report tests check figures on.
 */
import mongoose from 'mongoose';
import { mulberry32 } from '../../scheduler/timetable/random.ts';
import type { Models } from '../../server/models/index.ts';

const DAY = 86_400_000;
/** Monday 4 January 2027, 08:00 in Beijing: the report year is 2027. */
const YEAR_START = Date.parse('2027-01-04T00:00:00Z');
const WEEKS = 36;
const id = (): mongoose.Types.ObjectId => new mongoose.Types.ObjectId();

/**
 * Writes a generated province year with the raw driver, as a restore would (no journal, no
 * report facts): one province of 14 cities of 9 counties, `clusters` 1+3 and 1+4 clusters
 * (every tenth organized by its city), two offerings each and 36 weeks from Monday 4 January
 * 2027 of two sessions a week per offering, every session ended and judged as the platform
 * stores it (90 % delivered, 5 % not delivered, 5 % never started: missed by the end of the
 * year), each receiving classroom present, late, partial or absent. Seeded: the same
 * province for the same seed. Used by bench:reports and by the report tests.
 */
export async function generate(
  m: Models,
  clusters: number,
  seed: number,
): Promise<{ sessions: number; attendance: number; county: string }> {
  const rng = mulberry32(seed);
  const cities = 14;
  const countiesPerCity = 9;
  const regions: { code: string; name: string; level: string; parentCode: string | null }[] = [
    { code: '430000', name: '湖南省', level: 'province', parentCode: null },
  ];
  for (let c = 1; c <= cities; c++) {
    const city = `43${String(c).padStart(2, '0')}00`;
    regions.push({ code: city, name: `市${c}`, level: 'city', parentCode: '430000' });
    for (let k = 1; k <= countiesPerCity; k++)
      regions.push({
        code: `43${String(c).padStart(2, '0')}${String(k).padStart(2, '0')}`,
        name: `县${c}-${k}`,
        level: 'county',
        parentCode: city,
      });
  }
  await m.Region.insertMany(regions);
  const counties = regions.filter((r) => r.level === 'county').map((r) => r.code);
  const teacherId = id();
  let sessions = 0;
  let attendance = 0;
  const batch: Record<string, unknown>[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length) await m.Lesson.collection.insertMany(batch.splice(0), { ordered: false });
  };
  for (let c = 0; c < clusters; c++) {
    const county = counties[c % counties.length]!;
    const level = c % 10 === 0 ? 'city' : 'county';
    const regionCode = level === 'city' ? `${county.slice(0, 4)}00` : county;
    const n = 3 + Math.floor(rng() * 2);
    const schools = Array.from({ length: n + 1 }, (_, i) => ({
      _id: id(),
      name: `校${c}-${i}`,
      regionCode: county,
      kind: i === 0 ? 'hub' : rng() < 0.2 ? 'teaching_point' : 'rural',
      downlinkMbps: 6,
      uplinkMbps: 2,
    }));
    const rooms = schools.map((s, i) => ({
      _id: id(),
      schoolId: s._id,
      name: i === 0 ? '录播教室' : '教室',
      kind: i === 0 ? 'recording' : 'receiving',
    }));
    const clusterId = id();
    await m.School.collection.insertMany(schools);
    await m.Classroom.collection.insertMany(rooms);
    await m.Cluster.collection.insertOne({
      _id: clusterId,
      name: `联校群${c}`,
      level,
      mode: '1+N',
      regionCode,
      hubSchoolIds: [schools[0]!._id],
      memberSchoolIds: schools.slice(1).map((s) => s._id),
      coordinatorIds: [],
      activeTerms: ['2026-2027-1'],
    });
    const offerings = [id(), id()];
    await m.Offering.collection.insertMany(
      offerings.map((o, i) => ({
        _id: o,
        clusterId,
        term: '2026-2027-1',
        subject: i ? '音乐' : '英语',
        grade: 4,
        teacherId,
        hubClassroomId: rooms[0]!._id,
        receivingClassIds: [],
        periodsPerWeek: 2,
      })),
    );
    for (let w = 0; w < WEEKS; w++)
      for (const [o, offering] of offerings.entries())
        for (const day of [o, o + 2]) {
          const start = YEAR_START + (w * 7 + day) * DAY + (2 + o) * 3600_000;
          const roll = rng();
          const verdict = roll < 0.9 ? 'delivered' : roll < 0.95 ? 'not-delivered' : 'missed';
          const classrooms = rooms.slice(1).map((r) => {
            const a = rng();
            return {
              classroomId: r._id.toString(),
              status:
                verdict === 'missed'
                  ? 'absent'
                  : a < 0.9
                    ? 'present'
                    : a < 0.95
                      ? 'late'
                      : a < 0.98
                        ? 'partial'
                        : 'absent',
              connectedShare: 0.9,
              firstJoin: start,
              minutesConnected: 36,
              headcount: null,
              classSize: 30,
            };
          });
          attendance += classrooms.length;
          sessions++;
          batch.push({
            _id: id(),
            clusterId,
            offeringId: offering,
            title: '同步课',
            subject: '英语',
            grade: 4,
            teacherId,
            hubClassroomId: rooms[0]!._id,
            classroomIds: rooms.slice(1).map((r) => r._id),
            scheduledStart: new Date(start),
            scheduledEnd: new Date(start + 40 * 60_000),
            state: verdict === 'missed' ? 'scheduled' : 'ended',
            startedAt: verdict === 'missed' ? null : new Date(start),
            endedAt: verdict === 'missed' ? null : new Date(start + 38 * 60_000),
            delivery:
              verdict === 'missed'
                ? null
                : {
                    verdict,
                    liveShare: 0.95,
                    liveMinutes: 38,
                    scheduledMinutes: 40,
                    classrooms,
                    reasons: [],
                  },
          });
          if (batch.length >= 5000) await flush();
        }
  }
  await flush();
  return { sessions, attendance, county: counties[1]! };
}
