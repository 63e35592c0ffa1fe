import mongoose from 'mongoose';
import type { Identity } from '../auth/tokens.ts';
import type { Models } from '../models/index.ts';

/**
 * Whether `identity` is a teacher asked to evaluate the lesson `lessonId` (听课评课: an
 * invitation, a draft or a submitted evaluation of theirs exists). Such a teacher may watch
 * that one lesson's recording and read its board log, to score it and to jump to the moments
 * they comment on; nothing more (no sharing, no deleting, no other recording of the teacher
 * they evaluate). Overseers need no such grant: their scope already holds the lesson.
 */
export async function evaluatesLesson(
  models: Models,
  identity: Identity,
  lessonId: string,
): Promise<boolean> {
  if (identity.role !== 'teacher' || !mongoose.isValidObjectId(lessonId)) return false;
  return (
    (await models.Evaluation.exists({
      lessonId: new mongoose.Types.ObjectId(lessonId),
      evaluatorId: new mongoose.Types.ObjectId(identity.userId),
    })) !== null
  );
}
