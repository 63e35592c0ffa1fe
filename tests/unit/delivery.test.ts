import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, describeRules, judgeSession, resolveRules } from '../../scheduler/delivery/index.ts';
import type { ClassroomRecord, SessionRecord } from '../../scheduler/delivery/index.ts';
import { both } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';

const MIN = 60_000;
/** Mon 2 Mar 2026, 09:00 China Standard Time. */
const T0 = Date.UTC(2026, 2, 2, 1, 0);
const at = (minutes: number): number => T0 + minutes * MIN;

/** A 40-minute lesson 09:00–09:40, live from `live[0]` to `live[1]` minutes (null: not yet / still). */
function lesson(
  live: [number, number | null] | null,
  classrooms: ClassroomRecord[],
  state: SessionRecord['state'] = live === null ? 'scheduled' : live[1] === null ? 'live' : 'ended',
): SessionRecord {
  return Object.freeze({
    scheduledStart: at(0),
    scheduledEnd: at(40),
    state,
    liveStart: live === null ? null : at(live[0]),
    liveEnd: live === null || live[1] === null ? null : at(live[1]),
    classrooms,
  });
}

/** A classroom connected over the given [join, leave] minute pairs (leave null: still connected). */
function room(id: string, ...spans: [number, number | null][]): ClassroomRecord {
  return Object.freeze({
    classroomId: id,
    intervals: spans.map(([join, leave]) => ({ join: at(join), leave: leave === null ? null : at(leave) })),
  });
}

const AFTER = at(24 * 60);
/** A text for people: Chinese in `zh`, English (no Chinese) in `en`. */
function expectBothLanguages(value: Text): void {
  expect(value.zh).toMatch(/[\u4e00-\u9fff]/u);
  expect(value.en).toMatch(/^[^\u4e00-\u9fff]+$/u);
}

describe('judgeSession: the live share', () => {
  it('delivers a session live for exactly 80 % of its time with a classroom connected for exactly 80 % of it', () => {
    // 32 of 40 minutes live; the classroom is connected 25.6 of those 32 minutes.
    const j = judgeSession(lesson([0, 32], [room('a', [0, 25.6])]), {}, AFTER);
    expect(j.liveShare).toBe(0.8);
    expect(j.classrooms[0]?.connectedShare).toBe(0.8);
    expect(j.classrooms[0]?.status).toBe('present');
    expect(j.verdict).toBe('delivered');
  });

  it('does not deliver a session live for 79.9 % of its time, and says why in Chinese then English', () => {
    // 0.799 × 40 min = 31.96 min.
    const j = judgeSession(lesson([0, 31.96], [room('a', [0, 31.96])]), {}, AFTER);
    expect(j.liveShare).toBeCloseTo(0.799, 12);
    expect(j.verdict).toBe('not-delivered');
    expect(both(j.reasons[0]!)).toBe(
      '计划时段内直播 32/40 分钟，不足 80% (live 79.9 % of the scheduled time, under 80 %)',
    );
    // An English-mode user reads the English alone, a Chinese-mode user the Chinese alone.
    expect(j.reasons[0]).toEqual({
      zh: '计划时段内直播 32/40 分钟，不足 80%',
      en: 'live 79.9 % of the scheduled time, under 80 %',
    });
    expect(j.reasons.map(both)).toContain('提前 8 分钟结束 (ended 8 min early)');
    for (const reason of j.reasons) expectBothLanguages(reason);
  });

  it('is not delivered one millisecond short of 80 % live', () => {
    const j = judgeSession(lesson([0, 32], [room('a', [0, 40])]), {}, AFTER);
    const short = judgeSession({ ...lesson([0, 32], [room('a', [0, 40])]), liveEnd: at(32) - 1 }, {}, AFTER);
    expect(j.verdict).toBe('delivered');
    expect(short.verdict).toBe('not-delivered');
  });

  it('counts only live time inside the scheduled period: 10 minutes late and 10 over is 75 %', () => {
    const j = judgeSession(lesson([10, 50], [room('a', [10, 50])]), {}, AFTER);
    expect(j.liveShare).toBe(0.75);
    expect(j.liveMinutes).toBe(30);
    expect(j.verdict).toBe('not-delivered');
    expect(j.reasons.map(both)).toContain('晚开课 10 分钟 (started 10 min late)');
  });

  it('does not deliver a full-length lesson that no classroom followed for 80 % of it', () => {
    const j = judgeSession(lesson([0, 40], [room('a', [0, 31.96]), room('b')]), {}, AFTER);
    expect(j.liveShare).toBe(1);
    expect(j.classrooms.map((c) => c.status)).toEqual(['partial', 'absent']);
    expect(j.verdict).toBe('not-delivered');
    expect(j.reasons.map(both)).toContain(
      '没有接收课堂连接达到直播时长的 80% (no receiving classroom connected for 80 % of the live time)',
    );
  });

  it('does not deliver a lesson without receiving classrooms', () => {
    const j = judgeSession(lesson([0, 40], []), {}, AFTER);
    expect(j.verdict).toBe('not-delivered');
    expect(j.reasons.map(both)).toContain('没有接收课堂 (no receiving classroom)');
  });

  it('follows configured thresholds', () => {
    const record = lesson([0, 34], [room('a', [0, 34])]);
    expect(judgeSession(record, {}, AFTER).verdict).toBe('delivered');
    expect(judgeSession(record, { minLiveShare: 0.9 }, AFTER).verdict).toBe('not-delivered');
  });
});

describe('judgeSession: a lesson ended early', () => {
  it('is not delivered at 62.5 % live, and its classrooms are judged against the 25 minutes it was live', () => {
    const j = judgeSession(
      lesson([0, 25], [room('a', [0, 25]), room('b', [0, 19]), room('c', [0, 21])]),
      {},
      AFTER,
    );
    expect(j.verdict).toBe('not-delivered');
    expect(j.liveShare).toBe(0.625);
    expect(j.classrooms.map((c) => [c.status, c.connectedShare])).toEqual([
      ['present', 1],
      ['partial', 0.76],
      ['present', 0.84],
    ]);
    expect(j.reasons.map(both)).toContain('提前 15 分钟结束 (ended 15 min early)');
  });

  it('clips an interval left open at the lesson end', () => {
    const j = judgeSession(lesson([0, 36], [room('a', [2, null])]), {}, AFTER);
    expect(j.classrooms[0]?.minutesConnected).toBe(34);
    expect(j.verdict).toBe('delivered');
  });

  it('counts no live time for an ended record without an end time, and says so', () => {
    const j = judgeSession({ ...lesson([0, 40], [room('a', [0, 40])]), liveEnd: null }, {}, AFTER);
    expect(j.verdict).toBe('not-delivered');
    expect(j.liveShare).toBe(0);
    expect(j.classrooms[0]?.status).toBe('absent');
    expect(both(j.reasons[0]!)).toBe(
      '记录缺少结束时间，直播时长按 0 计 (no end time recorded: no live time counted)',
    );
  });
});

describe('judgeSession: a classroom reconnecting', () => {
  it('adds up three connections of one classroom', () => {
    const j = judgeSession(lesson([0, 40], [room('a', [0, 10], [12, 25], [26, 40])]), {}, AFTER);
    expect(j.classrooms[0]?.minutesConnected).toBe(37);
    expect(j.classrooms[0]?.connectedShare).toBe(0.925);
    expect(j.classrooms[0]?.status).toBe('present');
  });

  it('counts overlapping intervals once, in any order: 60 minutes of records is 30 minutes connected', () => {
    const j = judgeSession(lesson([0, 40], [room('a', [10, 30], [0, 20], [5, 25])]), {}, AFTER);
    expect(j.classrooms[0]?.minutesConnected).toBe(30);
    expect(j.classrooms[0]?.status).toBe('partial');
    expect(j.verdict).toBe('not-delivered');
  });

  it('merges a reconnect in the same millisecond and ignores time outside the live window', () => {
    const j = judgeSession(lesson([0, 40], [room('a', [-5, 20], [20, 45], [50, 60])]), {}, AFTER);
    expect(j.classrooms[0]?.minutesConnected).toBe(40);
    expect(j.classrooms[0]?.firstJoin).toBe(at(0));
  });
});

describe('judgeSession: late classrooms', () => {
  it('is present at exactly 5 minutes after the start and late a millisecond later', () => {
    const j = judgeSession(
      lesson(
        [0, 40],
        [room('a', [5, 40]), { ...room('b'), intervals: [{ join: at(5) + 1, leave: at(40) }] }],
      ),
      {},
      AFTER,
    );
    expect(j.classrooms.map((c) => c.status)).toEqual(['present', 'late']);
    expect(j.verdict).toBe('delivered');
  });

  it('times lateness from the scheduled start when the teacher went live early', () => {
    const j = judgeSession(lesson([-2, 40], [room('a', [4, 40]), room('b', [5.5, 40])]), {}, AFTER);
    expect(j.classrooms.map((c) => c.status)).toEqual(['present', 'late']);
  });

  it('times lateness from the live start when the teacher went live late', () => {
    const j = judgeSession(lesson([3, 40], [room('a', [8, 40])]), {}, AFTER);
    expect(j.classrooms[0]?.status).toBe('present');
  });

  it('is partial, not late, when a late classroom is connected for too little', () => {
    const j = judgeSession(lesson([0, 40], [room('a', [20, 40])]), {}, AFTER);
    expect(j.classrooms[0]?.status).toBe('partial');
  });
});

describe('judgeSession: missed, upcoming and live', () => {
  const never = lesson(null, [room('a')]);

  it('is upcoming before and up to the grace after the scheduled end, missed after it', () => {
    expect(judgeSession(never, {}, at(-60)).verdict).toBe('upcoming');
    expect(judgeSession(never, {}, at(40 + 15)).verdict).toBe('upcoming');
    const missed = judgeSession(never, {}, at(40 + 15) + 1);
    expect(missed.verdict).toBe('missed');
    expect(missed.classrooms[0]?.status).toBe('absent');
    expect(missed.reasons.map(both)).toEqual([
      '未开课：计划结束 15 分钟后仍未直播 (missed: never went live by 15 min after the scheduled end)',
    ]);
    expect(judgeSession(never, { missedGraceMinutes: 0 }, at(40) + 1).verdict).toBe('missed');
  });

  it('judges a live lesson so far, clipping open intervals at now', () => {
    const j = judgeSession(lesson([0, null], [room('a', [2, null]), room('b', [0, 5])]), {}, at(20));
    expect(j.verdict).toBe('live');
    expect(j.liveShare).toBe(0.5);
    expect(j.classrooms[0]?.minutesConnected).toBe(18);
    expect(j.classrooms[0]?.connectedShare).toBe(0.9);
    expect(j.classrooms.map((c) => c.status)).toEqual(['present', 'partial']);
    expect(both(j.reasons[0]!)).toBe(
      '直播中，计划时段内已直播 20/40 分钟 (live: 20/40 min of the scheduled time so far)',
    );
  });

  it('keeps a lesson live after its scheduled end until it ends', () => {
    const j = judgeSession(lesson([0, null], [room('a', [0, null])]), {}, at(300));
    expect(j.verdict).toBe('live');
    expect(j.liveShare).toBe(1);
  });
});

describe('resolveRules and describeRules', () => {
  it('fills defaults: 80 % live, 80 % connected, late after 5 minutes, missed 15 minutes after the end', () => {
    expect(resolveRules()).toEqual({
      minLiveShare: 0.8,
      minConnectedShare: 0.8,
      lateAfterMinutes: 5,
      missedGraceMinutes: 15,
    });
    expect(resolveRules({ lateAfterMinutes: 10 })).toEqual({ ...DEFAULT_RULES, lateAfterMinutes: 10 });
  });

  it('rejects shares outside (0, 1] and negative minutes with TypeError', () => {
    expect(() => resolveRules({ minLiveShare: 0 })).toThrow(TypeError);
    expect(() => resolveRules({ minConnectedShare: 1.2 })).toThrow(TypeError);
    expect(() => resolveRules({ lateAfterMinutes: -1 })).toThrow(TypeError);
    expect(() => resolveRules({ missedGraceMinutes: Number.NaN })).toThrow(TypeError);
    expect(() => judgeSession({ ...lesson(null, []), scheduledEnd: at(0) }, {}, AFTER)).toThrow(TypeError);
  });

  it('describes the configured thresholds in Chinese and English', () => {
    const lines = describeRules({ minLiveShare: 0.75, lateAfterMinutes: 10 });
    expect(lines[0]?.zh).toContain('不少于计划时长的 75%');
    expect(lines[0]?.en).toContain('at least 75 % of its scheduled time');
    expect(lines.map((l) => l.zh).join('\n')).toContain('10 分钟');
    expect(lines.map((l) => l.en).join('\n')).toContain('10 min');
    for (const line of lines) expectBothLanguages(line);
  });
});
