import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stubBrowserLanguage } from '../helpers/browserLanguage.ts';
import type * as I18n from '../../client/src/i18n.ts';
import type * as DashboardState from '../../client/src/manage/dashboard/state.ts';
import type * as TimetableState from '../../client/src/manage/timetable/state.ts';
import type * as BellsState from '../../client/src/manage/bells/state.ts';
import type { ReportView } from '../../server/contract/reports.ts';
import type { CompatView } from '../../server/contract/timetable.ts';

stubBrowserLanguage();

let i18n: typeof I18n;
let dashboard: typeof DashboardState;
let timetable: typeof TimetableState;
let bells: typeof BellsState;
beforeAll(async () => {
  i18n = await import('../../client/src/i18n.ts');
  dashboard = await import('../../client/src/manage/dashboard/state.ts');
  timetable = await import('../../client/src/manage/timetable/state.ts');
  bells = await import('../../client/src/manage/bells/state.ts');
});
beforeEach(() => i18n.setLang('zh'));

describe('dashboard period names', () => {
  it('names each period kind from its start in China Standard Time, as the server does in Chinese', () => {
    expect(dashboard.periodName('month', '2026-11-30T16:00:00.000Z')).toBe('2026年12月');
    expect(dashboard.periodName('quarter', '2026-09-30T16:00:00.000Z')).toBe('2026年第4季度');
    expect(dashboard.periodName('term', '2026-07-31T16:00:00.000Z')).toBe('2026-2027学年第一学期');
    expect(dashboard.periodName('term', '2027-01-31T16:00:00.000Z')).toBe('2026-2027学年第二学期');
    expect(dashboard.periodName('year', '2025-12-31T16:00:00.000Z')).toBe('2026年');
    i18n.setLang('en');
    expect(dashboard.periodName('month', '2026-11-30T16:00:00.000Z')).toBe('December 2026');
    expect(dashboard.periodName('quarter', '2026-09-30T16:00:00.000Z')).toBe('Q4 2026');
    expect(dashboard.periodName('term', '2027-01-31T16:00:00.000Z')).toBe('2026–2027 term 2');
  });

  it("labels a term's trend by month and keeps a month's weeks as M/D", () => {
    const view = {
      period: { from: '2026-07-31T16:00:00.000Z', to: '2027-01-31T16:00:00.000Z', label: '' },
      trend: ['8月', '9月', '10月'].map((label) => ({ label, planned: 0, delivered: 0, missed: 0 })),
    } as unknown as ReportView;
    i18n.setLang('en');
    expect(dashboard.trendLabels('term', view)).toEqual(['Aug', expect.stringMatching(/^Sept?$/), 'Oct']);
    expect(dashboard.trendLabels('month', view)).toEqual(['8月', '9月', '10月']);
  });

  it('asks for the scope drilled into', () => {
    expect(dashboard.figuresQuery({ period: 'term', scope: { kind: 'cluster', id: 'c1' }, view: null })).toBe(
      'period=term&clusterId=c1',
    );
    expect(dashboard.figuresQuery({ period: 'month', scope: null, view: null })).toBe('period=month');
  });
});

describe('timetable and bells state', () => {
  it('names a term', () => {
    expect(timetable.termName('2026-2027-1')).toBe('2026–2027 学年第一学期');
    i18n.setLang('en');
    expect(timetable.termName('2026-2027-2')).toBe('2026–2027 term 2');
  });

  it("previews a proposal's bell changes on the weekdays it names only", () => {
    const schools = [
      { id: 's1', name: 'A', hub: false, periods: [{ period: 1, start: 480, end: 520, weekdays: [1, 2] }] },
    ] as unknown as CompatView['schools'];
    const changed = bells.withChanges(schools, [
      {
        schoolId: 's1',
        schoolName: 'A',
        period: 1,
        weekdays: [2],
        old: { start: 480, end: 520 },
        new: { start: 490, end: 530 },
      },
    ] as never);
    expect(changed[0]?.periods).toEqual([
      { period: 1, start: 480, end: 520, weekdays: [1] },
      { period: 1, start: 490, end: 530, weekdays: [2] },
    ]);
    expect(schools[0]?.periods[0]?.weekdays).toEqual([1, 2]);
    expect(bells.clock(485)).toBe('08:05');
  });
});
