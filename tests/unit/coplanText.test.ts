import { describe, expect, it } from 'vitest';
import { FIXED_PLAN_OPTIONS as fixed, LATIN_NAMES, oneToOne, week } from '../helpers/coplanProblems.ts';
import { describeRefusal, planCluster } from '../../scheduler/coplan/index.ts';
import type { Plan, Refusal } from '../../scheduler/coplan/index.ts';
import type { ClusterProblem, LocalLessonInput } from '../../scheduler/timetable/index.ts';
import { storedText } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';

const HAN = /\p{Script=Han}/u;

/** A 1+1 cluster whose names are all Latin (so any Han character in an English text is the planner's own words). */
const cluster = (
  teacherFree: string[],
  lessons: LocalLessonInput[],
  periodsPerWeek: number,
): ClusterProblem => oneToOne(teacherFree, lessons, { periodsPerWeek, names: LATIN_NAMES });

/** Every text a plan shows the coordinator: its line, and each unplaced offering's proof, reasons and blocks. */
function textsOf(plan: Plan): Text[] {
  return [
    plan.message,
    ...plan.unplaced.flatMap((u) => [
      ...(u.proof ? [u.proof.message] : []),
      ...u.reasons.map((r) => r.message),
      ...u.blockedBy.map((b) => b.message),
    ]),
  ];
}

describe('co-plan words in both languages', () => {
  it('a plan that leaves a session out because of a refusal says so in English without Chinese, and in Chinese', () => {
    // The teacher is free on Tuesday period 2 only, where A has English; the school refuses it there.
    const problem = cluster(['2/2'], week('A', 'hA', { '2/2': ['English', 'hA'] }), 1);
    const first = planCluster(problem, fixed);
    const remote = first.localChanges.find((c) => c.kind === 'remote');
    expect(remote).toBeDefined();
    const refused: Refusal[] = [{ kind: 'local', change: remote!, by: 'school' }];
    const again = planCluster(problem, { ...fixed, refused });
    expect(again.unplaced[0]?.proof).not.toBeNull();
    expect(again.unplaced[0]?.blockedBy.length).toBeGreaterThan(0);
    const texts = [...textsOf(first), ...textsOf(again), describeRefusal(refused[0]!)];
    for (const t of texts) {
      expect(t.en, t.en).not.toMatch(HAN);
      expect(t.zh, t.zh).toMatch(HAN);
    }
    expect(again.unplaced[0]?.blockedBy[0]?.message.en).toContain('Tue period 2');
    expect(again.message.en).toContain('none of the 1 refused changes proposed again');
  });

  it('a refused bell change is named with its school, period and times in each language', () => {
    const words = describeRefusal({
      kind: 'bell',
      by: 'coordinator',
      change: {
        schoolId: 'S',
        schoolName: 'School S',
        period: 3,
        weekdays: [1, 2, 3, 4, 5],
        old: { start: 600, end: 645 },
        new: { start: 605, end: 650 },
      } as Extract<Refusal, { kind: 'bell' }>['change'],
    });
    expect(words.en).toBe('School S period 3 to 10:05–10:50, refused by the coordinator');
    expect(words.zh).toBe('School S 第3节改为 10:05–10:50（联校群拒绝）');
  });
});

describe('storedText: words saved before they were kept in both languages', () => {
  it('splits a line written "中文 (English)" back into its languages, nested parentheses kept', () => {
    expect(storedText('方案已经应用 (the plan is already applied)')).toEqual({
      zh: '方案已经应用',
      en: 'the plan is already applied',
    });
    expect(
      storedText('已排入 1/2 节，需 0 处作息调整 (1 of 2 sessions placed (with 0 bell changes))'),
    ).toEqual({ zh: '已排入 1/2 节，需 0 处作息调整', en: '1 of 2 sessions placed (with 0 bell changes)' });
  });

  it('keeps a Text as it is, and a name or a line without an English part the same in both languages', () => {
    const t = { zh: '中', en: 'en' };
    expect(storedText(t)).toBe(t);
    expect(storedText('四年级(1)班')).toEqual({ zh: '四年级(1)班', en: '四年级(1)班' });
    expect(storedText('Room (east)')).toEqual({ zh: 'Room (east)', en: 'Room (east)' });
    expect(storedText(undefined)).toEqual({ zh: '', en: '' });
  });
});
