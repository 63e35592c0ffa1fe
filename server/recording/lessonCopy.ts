import type { RecordingFact } from '../../scheduler/delivery/index.ts';
import type { Models, Recording } from '../models/index.ts';

/**
 * What the reports count of a recording ({@link RecordingFact}); null when nothing was
 * recorded (the teacher or the cluster switched it off before any run).
 */
export function recordingFact(
  rec: Pick<Recording, 'state' | 'gaps' | 'sharedRegion' | 'runs'>,
): RecordingFact | null {
  if (rec.state === 'off' || rec.runs.length === 0) return null;
  return {
    state: rec.state,
    incomplete: rec.gaps.some((g) => g.reason !== 'switched-off'),
    shared: rec.sharedRegion !== null && rec.sharedRegion !== undefined,
  };
}

/**
 * Copies a lesson's recording, as the reports count it, onto the lesson (`Lesson.recording`).
 * The report facts are read from lessons alone (the roll-up re-reads a lesson when it is
 * written through the models), so every change of a Recording's state, gaps or sharing is
 * followed by this. A recording deleted keeps its lesson counted as recorded (`deleted`).
 */
export async function copyToLesson(models: Models, lessonId: string): Promise<void> {
  const rec = await models.Recording.findOne(
    { lessonId },
    { state: 1, gaps: 1, sharedRegion: 1, runs: 1 },
  ).lean<Recording>();
  const fact = rec ? recordingFact(rec) : null;
  if (rec) {
    await models.Lesson.updateOne({ _id: lessonId }, { $set: { recording: fact } });
    return;
  }
  // Gone: a lesson that had something recorded stays counted, as deleted.
  const lesson = await models.Lesson.findById(lessonId, { recording: 1 }).lean();
  if (lesson?.recording && lesson.recording.state !== 'deleted')
    await models.Lesson.updateOne(
      { _id: lessonId },
      { $set: { 'recording.state': 'deleted' satisfies RecordingFact['state'] } },
    );
}

/** Where {@link copyEveryRecording} notes that it ran (one document). */
const STATE = 'recordingstate';
const COPIED = 'lesson-copy-1';

/**
 * Once per database: copies every recording onto its lesson. Recordings made before the
 * lessons carried their recording (Lesson.recording) would otherwise be missing from the
 * reports; later changes copy themselves. Returns how many were copied (0 when done before).
 */
export async function copyEveryRecording(models: Models): Promise<number> {
  const state = models.Recording.db.collection<{ _id: string; at: Date }>(STATE);
  if (await state.findOne({ _id: COPIED })) return 0;
  let copied = 0;
  for await (const rec of models.Recording.find({}, { lessonId: 1 }).lean().cursor()) {
    await copyToLesson(models, rec.lessonId.toString());
    copied++;
  }
  await state.updateOne({ _id: COPIED }, { $set: { at: new Date() } }, { upsert: true });
  return copied;
}
