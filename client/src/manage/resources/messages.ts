import { messages } from '../../i18n.ts';

/**
 * The words of the managed resources' panels (学校、教室、教学班、账号、作息时间、联校群): the
 * table and form, the device enrolment panel, and each resource's title, field labels and
 * choices (client/src/manage/fields.ts names them by key), Chinese and English side by side.
 */
const words = {
  add: ['新增', 'Add'],
  edit: ['编辑', 'Edit'],
  remove: ['删除', 'Delete'],
  formTitle: ['{action} · {what}', '{action} · {what}'],
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  confirmDelete: ['确定删除这条记录？', 'Delete this record?'],
  prev: ['上一页', 'Previous'],
  next: ['下一页', 'Next'],
  total: ['共 {n} 条', '{n} in all'],
  empty: ['暂无记录', 'No records'],
  yes: ['是', 'yes'],
  no: ['否', 'no'],
  listSeparator: ['、', ', '],
  periodCount: ['{n} 节', '{n} periods'],
  periodLineBad: [
    '第 {n} 行格式应为「节次 开始-结束 星期」，如 1 08:00-08:40 1-5',
    'Line {n} should read "period start-end weekdays", e.g. 1 08:00-08:40 1-5',
  ],

  devices: ['设备', 'Devices'],
  newCode: ['生成设备注册码', 'New enrolment code'],
  codeHint: [
    '在教室白板的登录页“注册本教室设备”处输入此码（24 小时内有效，仅可使用一次）。',
    'Type this code on the classroom whiteboard under “Enrol this classroom device” (valid 24 h, once).',
  ],
  enrolled: ['已注册设备', 'Enrolled devices'],
  noDevice: ['暂无已注册设备', 'No enrolled devices'],
  since: ['注册于', 'enrolled'],
  seen: ['最近使用', 'last seen'],
  revoke: ['注销', 'Revoke'],
  confirmRevoke: ['注销后该设备立即退出登录，确定？', 'The device is signed out at once. Revoke it?'],
  close: ['关闭', 'Close'],

  schools: ['学校', 'Schools'],
  schoolName: ['学校名称', 'Name'],
  regionCode: ['区划代码', 'Region code'],
  kind: ['类型', 'Kind'],
  kind_hub: ['主讲学校', 'Hub school'],
  kind_rural: ['农村学校', 'Rural school'],
  kind_teaching_point: ['教学点', 'Teaching point'],
  downlinkMbps: ['下行 Mbit/s', 'Down Mbit/s'],
  uplinkMbps: ['上行 Mbit/s', 'Up Mbit/s'],

  classrooms: ['教室', 'Classrooms'],
  school: ['学校', 'School'],
  classroomName: ['教室名称', 'Name'],
  kind_recording: ['录播教室', 'Recording'],
  kind_receiving: ['接收教室', 'Receiving'],
  hasWhiteboard: ['交互式白板', 'Whiteboard'],

  classes: ['教学班', 'Classes'],
  grade: ['年级', 'Grade'],
  className: ['班级名称', 'Name'],
  size: ['人数', 'Size'],

  users: ['教师与账号', 'Teachers & accounts'],
  username: ['用户名', 'Username'],
  realName: ['姓名', 'Real name'],
  role: ['角色', 'Role'],
  role_teacher: ['教师', 'Teacher'],
  role_classroom: ['教室设备', 'Classroom device'],
  role_assistant: ['辅导教师', 'Assistant teacher'],
  role_school: ['学校教务', 'School timetabler'],
  role_coordinator: ['联校群管理员', 'Coordinator'],
  role_bureau: ['教育局', 'Bureau'],
  role_inspector: ['巡课督导', 'Inspector'],
  role_admin: ['系统管理员', 'Admin'],
  subjects: ['任教学科', 'Subjects'],
  phone: ['手机', 'Phone'],
  initialPassword: ['初始密码', 'Initial password'],

  bellSchedules: ['作息时间', 'Bell schedules'],
  name: ['名称', 'Name'],
  periods: ['节次（每行：节次 开始-结束 星期）', 'Periods (per line: period start-end weekdays)'],

  clusters: ['联校群', 'Clusters'],
  level: ['级别', 'Level'],
  level_province: ['省级', 'Province'],
  level_city: ['市级', 'City'],
  level_county: ['县级', 'County'],
  mode: ['模式', 'Mode'],
  mode_1N: ['1+N', '1+N'],
  mode_NN: ['N+N', 'N+N'],
  hubSchools: ['主讲学校', 'Hub schools'],
  memberSchools: ['成员学校', 'Member schools'],
} as const;

/** A word of the resources' panels. */
export type ResourceWord = keyof typeof words;

export const m = messages<ResourceWord>(words);
