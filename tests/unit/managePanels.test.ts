import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
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

  it("labels a term's trend by month and a month's by the day each week starts, in the interface language", () => {
    const view = {
      period: { from: '2026-07-31T16:00:00.000Z', to: '2027-01-31T16:00:00.000Z', label: '' },
      trend: ['2026-08-01', '2026-09-01', '2026-10-01'].map((label) => ({
        label,
        planned: 0,
        delivered: 0,
        missed: 0,
      })),
    } as unknown as ReportView;
    const weeks = {
      ...view,
      trend: ['2026-12-01', '2026-12-07'].map((label) => ({ label, planned: 0, delivered: 0, missed: 0 })),
    };
    expect(dashboard.trendLabels('term', view)).toEqual(['8月', '9月', '10月']);
    expect(dashboard.trendLabels('month', weeks)).toEqual(['12月1日', '12月7日']);
    i18n.setLang('en');
    expect(dashboard.trendLabels('term', view)).toEqual(['Aug', expect.stringMatching(/^Sept?$/), 'Oct']);
    expect(dashboard.trendLabels('month', weeks)).toEqual(['1 Dec', '7 Dec']);
    for (const label of [...dashboard.trendLabels('term', view), ...dashboard.trendLabels('month', weeks)])
      expect(label).not.toMatch(/\p{Script=Han}/u);
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

describe("the management panels' words (one translation path)", () => {
  const root = path.resolve(import.meta.dirname, '../../client/src');
  const sources = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory()
          ? sources(path.join(dir, e.name))
          : e.name.endsWith('.ts')
            ? [path.join(dir, e.name)]
            : [],
      );
  const files = [...sources(path.join(root, 'manage')), path.join(root, 'pages/manage.ts')];

  it('no management panel calls zhEn() any more (every string goes through a message table)', () => {
    const left = files.filter((f) => fs.readFileSync(f, 'utf8').includes('zhEn('));
    expect(left.map((f) => path.relative(root, f))).toEqual([]);
  });

  it('every key a panel asks its table for exists in both languages, with the same {placeholders}', async () => {
    let checked = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const from = /import \{ m \} from '([^']+)'/.exec(text)?.[1];
      if (!from) continue;
      const table = (await import(path.resolve(path.dirname(file), from))) as {
        m: (key: string, vars?: Record<string, string>) => string;
      };
      // Literal keys, and the keys a template builds from a closed set (`decision_${…}`).
      const keys = [...text.matchAll(/\bm\(\s*'([\w-]+)'/g)].map((k) => k[1]!);
      const templates = [...text.matchAll(/\bm\(\s*`(\w+)\$\{/g)].map((k) => k[1]!);
      for (const key of keys) {
        i18n.setLang('zh');
        const zh = table.m(key);
        i18n.setLang('en');
        const en = table.m(key);
        expect(zh, `${path.basename(file)}: ${key}`).toMatch(/\S/);
        expect(en, `${path.basename(file)}: ${key}`).toMatch(/\S/);
        const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
        expect(holes(en), `${path.basename(file)}: ${key}`).toEqual(holes(zh));
        // English mode says nothing in Chinese (words quoted for a file's layout aside: “同步”).
        expect(en.replace(/“[^”]*”/g, ''), `${path.basename(file)}: ${key}`).not.toMatch(/\p{Script=Han}/u);
        checked++;
      }
      for (const prefix of templates) expect(text).toContain(prefix);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the managed resources (schools … clusters) name their titles, fields and choices in English in English mode', async () => {
    const { RESOURCES, label, optionLabel } = await import('../../client/src/manage/fields.ts');
    const { parsePeriods } = await import('../../client/src/manage/periods.ts');
    const han = /[\u4e00-\u9fff]/;
    const words = (): string[] =>
      RESOURCES.flatMap((view) => [
        label(view),
        ...view.fields.flatMap((f) => [
          label(f),
          ...Object.keys(f.options ?? {}).map((value) => optionLabel(f, value)),
        ]),
      ]);
    const zh = words();
    expect(zh).toContain('教师与账号');
    expect(zh).toContain('巡课督导');
    i18n.setLang('en');
    const en = words();
    expect(en.filter((w) => !/\S/.test(w) || han.test(w))).toEqual([]);
    expect(en).toContain('Teachers & accounts');
    expect(() => parsePeriods('1 08:00-08:40 1-5\nfirst period')).toThrow(
      'Line 2 should read "period start-end weekdays", e.g. 1 08:00-08:40 1-5',
    );
  });

  it("the co-plan's decisions and slots answer in the chosen language", async () => {
    const { m } = await import('../../client/src/manage/coplan/messages.ts');
    const { slotName } = await import('../../client/src/manage/coplanWeek.ts');
    expect(['pending', 'approved', 'refused'].map((d) => m(`decision_${d}` as 'decision_pending'))).toEqual([
      '待学校确认',
      '学校已同意',
      '学校已拒绝',
    ]);
    expect(slotName(2, 3)).toBe('周二第3节');
    expect(m('rate', { n: 4, of: 5, pct: '80%' })).toBe('4/5 节（80%）');
    i18n.setLang('en');
    expect(slotName(2, 3)).toBe('Tue P3');
    expect(m('decision_refused')).toBe('refused');
    expect(m('rate', { n: 4, of: 5, pct: '80%' })).toBe('4 of 5 (80%)');
  });
});

describe('rubric, alliance and research-session panels', () => {
  it("show each panel to the roles the server's resources let read and write", async () => {
    const { PANEL_ACCESS } = await import('../../client/src/manage/access.ts');
    const { rubricsSpec } = await import('../../server/resources/rubrics.ts');
    const { alliancesSpec } = await import('../../server/resources/alliances.ts');
    const { researchSessionsSpec } = await import('../../server/resources/researchSessions.ts');
    const models = {} as Parameters<typeof rubricsSpec>[0];
    for (const spec of [rubricsSpec(models), alliancesSpec(models), researchSessionsSpec(models)]) {
      const panel = PANEL_ACCESS[spec.name as keyof typeof PANEL_ACCESS];
      expect([...panel.read].sort(), spec.name).toEqual([...spec.roles.read].sort());
      for (const verb of ['create', 'update', 'remove'] as const)
        expect([...panel.write].sort(), `${spec.name} ${verb}`).toEqual([...spec.roles[verb]].sort());
    }
  });

  it('a rubric draft sends trimmed text, no descriptors when all are blank, and follows its levels', async () => {
    const r = await import('../../client/src/manage/rubrics/state.ts');
    const draft = r.draftOf(null, '430725');
    expect(draft.items[0]?.descriptors).toHaveLength(r.DEFAULT_LEVELS);
    draft.name = ' 量表 ';
    draft.items = [
      { key: ' a ', name: 'A', weight: 60, descriptors: ['差', '', '', ''] },
      { key: 'b', name: 'B', weight: 30, descriptors: ['', '', '', ''] },
    ];
    expect(r.weightSum(draft)).toBe(90);
    expect(r.bodyOf(draft)).toMatchObject({
      name: '量表',
      regionCode: '430725',
      items: [
        { key: 'a', descriptors: ['差', '', '', ''] },
        { key: 'b', descriptors: [] },
      ],
    });
    expect(r.setLevels(draft, 2).items[0]?.descriptors).toEqual(['差', '']);
    expect(draft.items[0]?.descriptors).toHaveLength(4);
  });

  it("places the server's field issues at the field they name or the nearest enclosing one", async () => {
    const { placeIssues } = await import('../../client/src/manage/issues.ts');
    const shown = new Set(['name', 'items', 'items.1.descriptors', 'items.1.key']);
    const placed = placeIssues(
      [
        { path: 'items.1.key', message: 'duplicate key a' },
        { path: 'items.1.descriptors.2', message: 'must not be blank' },
        { path: 'items', message: 'weights sum to 90, not 100' },
        { path: 'levels', message: 'too big' },
      ],
      (p) => shown.has(p),
    );
    expect(Object.fromEntries(placed)).toEqual({
      'items.1.key': ['duplicate key a'],
      'items.1.descriptors': ['must not be blank'],
      items: ['weights sum to 90, not 100'],
      null: ['too big'],
    });
  });

  it('an alliance body leaves the leader out of the members; a teacher schedules only what it leads', async () => {
    const a = await import('../../client/src/manage/alliances/state.ts');
    const draft = a.draftOf(null);
    Object.assign(draft, { name: ' 联盟 ', regionCode: '430725', subject: '英语', leadTeacherId: 't1' });
    draft.memberTeacherIds = new Set(['t1', 't2']);
    expect(a.bodyOf(draft)).toMatchObject({ name: '联盟', leadTeacherId: 't1', memberTeacherIds: ['t2'] });
    expect([a.levelOfCode('430000'), a.levelOfCode('430700'), a.levelOfCode('430725')]).toEqual([
      'province',
      'city',
      'county',
    ]);
    const alliance = { id: 'x', leadTeacherId: 't1' };
    const user = (id: string, role: string) => ({ id, role }) as Parameters<typeof a.maySchedule>[0];
    expect(a.maySchedule(user('t1', 'teacher'), alliance)).toBe(true);
    expect(a.maySchedule(user('t2', 'teacher'), alliance)).toBe(false);
    expect(a.maySchedule(user('c', 'coordinator'), alliance)).toBe(false);
    expect(a.maySchedule(user('b', 'bureau'), alliance)).toBe(true);
    const body = a.sessionBody('x', {
      title: ' 集体备课 ',
      agenda: '',
      date: '2026-12-08',
      start: '15:30',
      end: '16:30',
    });
    expect(body['title']).toBe('集体备课');
    expect(Date.parse(String(body['scheduledEnd'])) - Date.parse(String(body['scheduledStart']))).toBe(
      3_600_000,
    );
  });
});
