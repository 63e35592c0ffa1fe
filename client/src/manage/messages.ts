import { messages } from '../i18n.ts';

/** The management page's own words (its sections, the overview, the audit log), Chinese and English. */
export const m = messages({
  sectionCoplan: ['联合编排确认', 'Co-plan'],
  sectionOverview: ['概览', 'Overview'],
  sectionFigures: ['统计报表', 'Figures'],
  sectionTimetable: ['联合排课', 'Timetable'],
  sectionBells: ['作息协调', 'Bell compatibility'],
  sectionImport: ['导入导出', 'Import / export'],
  auditLog: ['审计日志', 'Audit log'],
  auditWhen: ['时间', 'When'],
  auditWho: ['操作人', 'Who'],
  auditAction: ['操作', 'Action'],
  auditEntity: ['对象', 'Entity'],
  overviewTitle: ['联校群概览', 'Clusters at a glance'],
  hub: ['主讲', 'Hub'],
  receiving: ['接收', 'Receiving'],
  noClassroom: ['无教室', 'no classroom'],
  noCluster: ['暂无联校群', 'No cluster yet'],
  listSeparator: ['、', ', '],
});
