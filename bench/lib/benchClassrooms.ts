import { hashPassword } from '../../server/auth/passwords.ts';
import { startPlatform } from '../../tests/helpers/platform.ts';

/** The password of the bench's classroom accounts (the demo's: they sign in from this machine only). */
export const BENCH_PASSWORD = 'demo2026';

/** The username of bench classroom `i` (0-based). */
export const benchClassroom = (i: number): string => `bench-classroom-${i + 1}`;

/**
 * Prepares a data folder for a lesson of `count` classrooms: starts the platform on it once
 * (the demo: its cluster, accounts and a lesson of the demo teacher starting now, `minutes`
 * long), then adds `count` classrooms to the hub's first rural school, each with a classroom
 * device account (`bench-classroom-N`, marked demo: loopback only) and all of them to that
 * lesson. The platform allows one peer per classroom in a lesson (a second join of the same
 * classroom replaces the first), so a load of K classrooms needs K classroom accounts.
 */
export async function seedBenchClassrooms(dataDir: string, count: number, minutes = 120): Promise<void> {
  const t = await startPlatform({ dataDir, env: { DEMO_LESSON_MINUTES: String(minutes) } });
  try {
    const { User, Classroom, Lesson } = t.platform.models;
    const teacher = await User.findOne({ username: 'teacher' }).lean();
    const first = await User.findOne({ username: 'classroom1' }).lean();
    const firstRoom = first?.classroomId ? await Classroom.findById(first.classroomId).lean() : null;
    const lesson = teacher
      ? await Lesson.findOne({ teacherId: teacher._id, state: { $in: ['scheduled', 'live'] } }).lean()
      : null;
    if (!teacher || !firstRoom || !lesson)
      throw new Error('the demo data has no teacher, classroom1 or lesson');
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const ids = [];
    for (let i = 0; i < count; i++) {
      const username = benchClassroom(i);
      const room = await Classroom.create({
        schoolId: firstRoom.schoolId,
        name: `压测教室 ${i + 1}`,
        kind: 'receiving',
      });
      const user = await User.create({
        username,
        passwordHash,
        demo: true,
        realName: `压测教室 ${i + 1}`,
        role: 'classroom',
        schoolId: firstRoom.schoolId,
        classroomId: room._id,
      });
      await Classroom.updateOne({ _id: room._id }, { deviceUserId: user._id });
      ids.push(room._id);
    }
    await Lesson.updateOne({ _id: lesson._id }, { $push: { classroomIds: { $each: ids } } });
  } finally {
    await t.close();
  }
}
