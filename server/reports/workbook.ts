import ExcelJS from 'exceljs';
import type { Figures, RecordingFact, ReportView } from '../contract/reports.ts';
import { workbookBuffer } from '../exports/spreadsheet.ts';
import { text } from '../../scheduler/text.ts';
import type { Lang, Text } from '../../scheduler/text.ts';

const share = (n: number, d: number | null): number | '' => (d ? Math.round((n / d) * 1000) / 10 : '');

/** One row of figures as report columns (the same numbers the dashboard shows). */
function columns(f: Figures): (string | number)[] {
  const attended = f.attendance.present + f.attendance.late;
  return [
    f.clusters.province,
    f.clusters.city,
    f.clusters.county,
    f.ruralSchools,
    f.ruralSchoolsInCluster,
    share(f.ruralSchoolsInCluster, f.ruralSchools),
    f.offeringsPlanned,
    f.offeringsSynchronized,
    f.sessions.planned,
    f.sessions.delivered,
    f.sessions.notDelivered,
    f.sessions.missed,
    f.attendance.due,
    f.attendance.present,
    f.attendance.late,
    f.attendance.partial,
    f.attendance.absent,
    share(attended, f.attendance.due),
    f.teacherPeriods.online,
    f.teacherPeriods.total ?? '',
    share(f.teacherPeriods.online, f.teacherPeriods.total),
    f.recordings.recorded,
    f.recordings.shared,
    f.recordings.ready,
    f.recordings.composing,
    f.recordings.failed,
    f.recordings.incomplete,
    ...researchColumns(f.research),
  ];
}

/** Research (网络教研) columns: blank for a cluster's report (alliances are counted by region). */
function researchColumns(r: Figures['research']): (string | number)[] {
  if (!r) return ['', '', '', '', '', '', '', ''];
  return [
    r.alliances.province,
    r.alliances.city,
    r.alliances.county,
    r.sessionsPlanned,
    r.sessionsHeld,
    r.ruralTeachers,
    r.ruralTeachersTakingPart,
    share(r.ruralTeachersTakingPart, r.ruralTeachers),
  ];
}

/** The summary sheet's column titles. */
const HEADERS: readonly Text[] = [
  text('名称', 'Name'),
  text('级别', 'Level'),
  text('省级联校群', 'Province clusters'),
  text('市级联校群', 'City clusters'),
  text('县级联校群', 'County clusters'),
  text('农村学校数', 'Rural schools'),
  text('已入群农村学校', 'Rural schools in a cluster'),
  text('覆盖率(%)', 'Coverage (%)'),
  text('计划门次', 'Offerings planned'),
  text('同步开课门次', 'Offerings taught synchronously'),
  text('计划节数', 'Sessions planned'),
  text('已开课节数', 'Sessions delivered'),
  text('未达标节数', 'Sessions not delivered'),
  text('缺课节数', 'Sessions missed'),
  text('应到教室节次', 'Classroom sessions due'),
  text('出勤', 'Present'),
  text('迟到', 'Late'),
  text('部分', 'Partial'),
  text('缺席', 'Absent'),
  text('出勤率(%)', 'Attendance (%)'),
  text('主讲教师线上节数', "Hub teachers' online periods"),
  text('主讲教师总节数', "Hub teachers' periods"),
  text('线上占比(%)', 'Online share (%)'),
  text('录制节数', 'Sessions recorded'),
  text('已共享', 'Shared'),
  text('可播放', 'Ready'),
  text('合成中', 'Composing'),
  text('合成失败', 'Composing failed'),
  text('不完整', 'Incomplete'),
  text('省级教研联盟', 'Province research alliances'),
  text('市级教研联盟', 'City research alliances'),
  text('县级教研联盟', 'County research alliances'),
  text('计划教研活动', 'Research sessions planned'),
  text('已开展教研活动', 'Research sessions held'),
  text('农村教师', 'Rural teachers'),
  text('参与教研的农村教师', 'Rural teachers taking part'),
  text('农村教师参与率(%)', 'Rural teachers taking part (%)'),
];

const RECORDING_STATE: Record<RecordingFact['state'], Text> = {
  recording: text('录制中', 'recording'),
  composing: text('合成中', 'composing'),
  ready: text('可播放', 'ready'),
  failed: text('合成失败', 'composing failed'),
  deleted: text('已删除', 'deleted'),
};

/** The other words of the workbook. */
const WORDS = {
  creator: text('同步课堂平台', 'Synchronized classrooms'),
  summary: text('汇总', 'Summary'),
  total: text('（合计）', ' (total)'),
  sessions: text('课时', 'Sessions'),
  sessionHeaders: [
    text('时间', 'Time'),
    text('课程', 'Lesson'),
    text('主讲教师', 'Hub teacher'),
    text('结果', 'Verdict'),
    text('直播占比(%)', 'Live share (%)'),
    text('各教室出勤', 'Attendance by classroom'),
    text('说明', 'Reasons'),
    text('录制', 'Recording'),
  ],
  rules: text('统计口径', 'Rules'),
  span: (from: string, to: string) => text(`（${from} 至 ${to}）`, ` (${from} to ${to})`),
  notRecorded: text('未录制', 'not recorded'),
  incomplete: text('不完整', 'incomplete'),
  shared: text('已共享', 'shared'),
  list: text('；', '; '),
} as const;

/** A session's recording in words: its state, and whether incomplete or shared. */
function recordingText(r: RecordingFact | null, lang: Lang): string {
  if (!r) return WORDS.notRecorded[lang];
  return [
    RECORDING_STATE[r.state][lang],
    r.incomplete ? WORDS.incomplete[lang] : '',
    r.shared ? WORDS.shared[lang] : '',
  ]
    .filter(Boolean)
    .join('·');
}

const rowOf = (name: string, level: string, f: Figures): (string | number)[] => [name, level, ...columns(f)];

/**
 * The report of a scope and period as a workbook, its titles and words in `lang` (names of
 * places, schools and people as they are): the totals, one row per drill-down child (whose
 * additive columns sum to the totals), the sessions of a cluster, and the rules the figures
 * follow.
 */
export async function reportWorkbook(
  view: ReportView,
  format: 'xlsx' | 'csv',
  lang: Lang = 'zh',
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = WORDS.creator[lang];
  const ws = wb.addWorksheet(WORDS.summary[lang], { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(HEADERS.map((x) => x[lang])).font = { bold: true };
  ws.addRow(
    rowOf(`${view.scope.name}${WORDS.total[lang]}`, view.scope.level ?? view.scope.kind, view.figures),
  ).font = {
    bold: true,
  };
  for (const r of view.rows) ws.addRow(rowOf(r.name, r.level ?? r.kind, r.figures));
  ws.columns.forEach((c, i) => (c.width = i === 0 ? 28 : 12));
  if (format === 'csv') return workbookBuffer(wb, 'csv');
  if (view.sessions.length) {
    const s = wb.addWorksheet(WORDS.sessions[lang]);
    s.addRow(WORDS.sessionHeaders.map((x) => x[lang])).font = { bold: true };
    for (const x of view.sessions)
      s.addRow([
        x.scheduledStart,
        x.title,
        x.teacherName,
        x.verdict,
        x.liveShare === null ? '' : Math.round(x.liveShare * 1000) / 10,
        x.classrooms
          .map((c) => `${c.name}:${c.status}${c.headcount !== null ? `(${c.headcount})` : ''}`)
          .join(WORDS.list[lang]),
        x.reasons.map((r) => r[lang]).join(WORDS.list[lang]),
        recordingText(x.recording, lang),
      ]);
  }
  const rules = wb.addWorksheet(WORDS.rules[lang]);
  const { label, from, to } = view.period;
  rules.addRow([`${view.scope.name} · ${label[lang]}${WORDS.span(from, to)[lang]}`]);
  for (const r of view.rules) rules.addRow([r[lang]]);
  rules.getColumn(1).width = 100;
  return workbookBuffer(wb, 'xlsx');
}
