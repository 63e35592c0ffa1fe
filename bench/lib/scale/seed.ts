import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { TokenService } from '../../../server/auth/tokens.ts';
import { createModels } from '../../../server/models/index.ts';

/** One simulated lesson: its id and the access tokens of its teacher and its classrooms. */
export interface ScaleLesson {
  id: string;
  teacher: string;
  classrooms: string[];
}

/**
 * Writes `lessons` scheduled lessons into the cluster's database, each with a teacher of its
 * own and `classroomsPer` receiving classrooms of their own (accounts included), in the demo
 * cluster, and signs their access tokens with the cluster's secret (the accounts never sign
 * in: `lessons` × (1 + `classroomsPer`) password checks would take minutes and measure bcrypt).
 */
export async function seedLessons(
  mongoUri: string,
  runDir: string,
  lessons: number,
  classroomsPer: number,
): Promise<ScaleLesson[]> {
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  try {
    const m = createModels(conn);
    const cluster = (await m.Cluster.findOne().lean())!;
    const hub = (await m.Classroom.findOne({ kind: 'recording' }).lean())!;
    const school = (await m.School.findOne({ _id: { $ne: hub.schoolId } }).lean())!;
    const tag = Date.now().toString(36);
    const classrooms = await m.Classroom.insertMany(
      Array.from({ length: lessons * classroomsPer }, (_, i) => ({
        schoolId: school._id,
        name: `压测教室 ${tag}-${i}`,
        kind: 'receiving',
      })),
    );
    const users = await m.User.insertMany([
      ...Array.from({ length: lessons }, (_, i) => ({
        username: `scale-${tag}-t${i}`,
        passwordHash: '!',
        realName: `压测教师 ${i}`,
        role: 'teacher',
        schoolId: hub.schoolId,
      })),
      ...classrooms.map((c, i) => ({
        username: `scale-${tag}-c${i}`,
        passwordHash: '!',
        realName: c.name,
        role: 'classroom',
        schoolId: school._id,
        classroomId: c._id,
      })),
    ]);
    const now = Date.now();
    const created = await m.Lesson.insertMany(
      Array.from({ length: lessons }, (_, i) => ({
        clusterId: cluster._id,
        title: `压测课 ${i}`,
        subject: '英语',
        grade: 5,
        teacherId: users[i]!._id,
        hubClassroomId: hub._id,
        classroomIds: classrooms.slice(i * classroomsPer, (i + 1) * classroomsPer).map((c) => c._id),
        scheduledStart: new Date(now - 60_000),
        scheduledEnd: new Date(now + 3 * 3600_000),
      })),
    );
    const secret = fs.readFileSync(path.join(runDir, 'jwt-secret'), 'utf8').trim();
    const tokens = new TokenService(secret, 3 * 3600);
    const tokenOf = (u: (typeof users)[number]): string =>
      tokens.sign({
        userId: u._id.toString(),
        role: u.role as 'teacher' | 'classroom',
        displayName: u.realName,
        classroomId: u.classroomId?.toString() ?? null,
        sessionId: null,
        authVersion: 0,
      });
    return created.map((lesson, i) => ({
      id: lesson._id.toString(),
      teacher: tokenOf(users[i]!),
      classrooms: Array.from({ length: classroomsPer }, (_, k) =>
        tokenOf(users[lessons + i * classroomsPer + k]!),
      ),
    }));
  } finally {
    await conn.close();
  }
}
