import ExcelJS from 'exceljs';
import type { Figures, RecordingFact, ReportView } from '../contract/reports.ts';
import { workbookBuffer } from '../exports/spreadsheet.ts';

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

/** 网络教研 columns: blank for a cluster's report (alliances are counted by region). */
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

const HEADERS = [
  '名称',
  '级别',
  '省级联校群',
  '市级联校群',
  '县级联校群',
  '农村学校数',
  '已入群农村学校',
  '覆盖率(%)',
  '计划门次',
  '同步开课门次',
  '计划节数',
  '已开课节数',
  '未达标节数',
  '缺课节数',
  '应到教室节次',
  '出勤',
  '迟到',
  '部分',
  '缺席',
  '出勤率(%)',
  '主讲教师线上节数',
  '主讲教师总节数',
  '线上占比(%)',
  '录制节数',
  '已共享',
  '可播放',
  '合成中',
  '合成失败',
  '不完整',
  '省级教研联盟',
  '市级教研联盟',
  '县级教研联盟',
  '计划教研活动',
  '已开展教研活动',
  '农村教师',
  '参与教研的农村教师',
  '农村教师参与率(%)',
];

const RECORDING_STATE: Record<RecordingFact['state'], string> = {
  recording: '录制中',
  composing: '合成中',
  ready: '可播放',
  failed: '合成失败',
  deleted: '已删除',
};

/** A session's recording in words: its state, and whether incomplete or shared. */
function recordingText(r: RecordingFact | null): string {
  if (!r) return '未录制';
  return [RECORDING_STATE[r.state], r.incomplete ? '不完整' : '', r.shared ? '已共享' : '']
    .filter(Boolean)
    .join('·');
}

const rowOf = (name: string, level: string, f: Figures): (string | number)[] => [name, level, ...columns(f)];

/**
 * The report of a scope and period as a workbook: the totals, one row per drill-down
 * child (whose additive columns sum to the totals), the sessions of a cluster, and the
 * rules the figures follow.
 */
export async function reportWorkbook(view: ReportView, format: 'xlsx' | 'csv'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '同步课堂平台';
  const ws = wb.addWorksheet('汇总', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(HEADERS).font = { bold: true };
  ws.addRow(rowOf(`${view.scope.name}（合计）`, view.scope.level ?? view.scope.kind, view.figures)).font = {
    bold: true,
  };
  for (const r of view.rows) ws.addRow(rowOf(r.name, r.level ?? r.kind, r.figures));
  ws.columns.forEach((c, i) => (c.width = i === 0 ? 28 : 12));
  if (format === 'csv') return workbookBuffer(wb, 'csv');
  if (view.sessions.length) {
    const s = wb.addWorksheet('课时');
    s.addRow(['时间', '课程', '主讲教师', '结果', '直播占比(%)', '各教室出勤', '说明', '录制']).font = {
      bold: true,
    };
    for (const x of view.sessions)
      s.addRow([
        x.scheduledStart,
        x.title,
        x.teacherName,
        x.verdict,
        x.liveShare === null ? '' : Math.round(x.liveShare * 1000) / 10,
        x.classrooms
          .map((c) => `${c.name}:${c.status}${c.headcount !== null ? `(${c.headcount})` : ''}`)
          .join('；'),
        x.reasons.join('；'),
        recordingText(x.recording),
      ]);
  }
  const rules = wb.addWorksheet('统计口径');
  rules.addRow([`${view.scope.name} · ${view.period.label}（${view.period.from} 至 ${view.period.to}）`]);
  for (const r of view.rules) rules.addRow([r]);
  rules.getColumn(1).width = 100;
  return workbookBuffer(wb, 'xlsx');
}
