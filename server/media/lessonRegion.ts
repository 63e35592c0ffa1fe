import type { Models } from '../models/index.ts';

/** The administrative code of the region of a lesson's cluster (null: no such lesson). */
export async function lessonRegion(models: Models, lessonId: string): Promise<string | null> {
  const lesson = await models.Lesson.findById(lessonId, { clusterId: 1 }).lean();
  if (!lesson) return null;
  const cluster = await models.Cluster.findById(lesson.clusterId, { regionCode: 1 }).lean();
  return cluster?.regionCode ?? null;
}
