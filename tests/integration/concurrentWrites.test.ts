import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

/**
 * FerretDB 1.x (the embedded default) applies an update as a read and then a write: two
 * updates of one document at the same time lose one unless the platform sends its commands
 * one at a time (server/db/connect.ts). Through the platform's own connection, a lesson's end,
 * its recording's copy and its delivery judgement, written at once as they are when a lesson
 * ends, all stay.
 */
describe('concurrent writes to one document on the embedded database', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('keeps every one of three updates of one lesson made at the same time', async () => {
    const { Lesson } = t.platform.models;
    const demo = (await Lesson.findOne({ state: 'scheduled' }).lean())!;
    const lost: string[] = [];
    for (let i = 0; i < 40; i++) {
      const lesson = await Lesson.create({
        ...demo,
        _id: undefined,
        state: 'live',
        startedAt: new Date(),
        endedAt: null,
      });
      const endedAt = new Date();
      await Promise.all([
        Lesson.findOneAndUpdate({ _id: lesson._id, state: 'live' }, { $set: { state: 'ended', endedAt } }),
        Lesson.updateOne(
          { _id: lesson._id },
          { $set: { recording: { state: 'recording', incomplete: false, shared: false } } },
        ),
        Lesson.updateOne({ _id: lesson._id }, { $set: { delivery: { judgedAt: endedAt } } }),
      ]);
      const after = (await Lesson.findById(lesson._id).lean())!;
      if (after.state !== 'ended') lost.push(`${i}: the end`);
      if (after.recording?.state !== 'recording') lost.push(`${i}: the recording's copy`);
      if ((after.delivery as { judgedAt?: Date } | null)?.judgedAt?.getTime() !== endedAt.getTime())
        lost.push(`${i}: the judgement`);
      await Lesson.deleteOne({ _id: lesson._id });
    }
    expect(lost).toEqual([]);
  });
});
