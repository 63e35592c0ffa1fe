import { lessonOfRoom } from '../../sfu/index.ts';
import type { Models } from '../models/index.ts';

/**
 * The administrative code of the region of a lesson's cluster (null: no such lesson). `room` is
 * the lesson's id, or `<lessonId>~<n>` for another room of a broadcast.
 */
export async function lessonRegion(models: Models, room: string): Promise<string | null> {
  const lessonId = lessonOfRoom(room);
  if (!/^[0-9a-f]{24}$/.test(lessonId)) return null;
  const lesson = await models.Lesson.findById(lessonId, { clusterId: 1 }).lean();
  if (!lesson) return null;
  const cluster = await models.Cluster.findById(lesson.clusterId, { regionCode: 1 }).lean();
  return cluster?.regionCode ?? null;
}
