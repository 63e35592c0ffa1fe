import { beforeAll, describe, expect, it } from 'vitest';
import type { LessonSummary } from '../../server/contract/api.ts';
import type * as CurrentLesson from '../../client/src/currentLesson.ts';
import { stubBrowserLanguage } from '../helpers/browserLanguage.ts';

// The module's api client loads the messages, which read the browser's language.
stubBrowserLanguage();
let latest: typeof CurrentLesson.latest;
beforeAll(async () => {
  ({ latest } = await import('../../client/src/currentLesson.ts'));
});

const lesson = (id: string, state: LessonSummary['state']): LessonSummary =>
  ({ id, state }) as unknown as LessonSummary;

describe('latest: an answer never takes the shown lesson back', () => {
  it('keeps the shown lesson when the answer is the same lesson in an earlier state', () => {
    const live = lesson('a', 'live');
    expect(latest(live, lesson('a', 'scheduled'))).toBe(live);
    const ended = lesson('a', 'ended');
    expect(latest(ended, lesson('a', 'live'))).toBe(ended);
    expect(latest(ended, lesson('a', 'scheduled'))).toBe(ended);
  });

  it('takes the answer when it moves the lesson on, is another lesson, or there is none', () => {
    const answer = lesson('a', 'live');
    expect(latest(lesson('a', 'scheduled'), answer)).toBe(answer);
    expect(latest(lesson('a', 'live'), answer)).toBe(answer);
    const next = lesson('b', 'scheduled');
    expect(latest(lesson('a', 'ended'), next)).toBe(next);
    expect(latest(null, answer)).toBe(answer);
    expect(latest(lesson('a', 'live'), null)).toBeNull();
  });
});
