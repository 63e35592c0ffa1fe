import type { Row } from '../api.ts';
import { lang } from '../i18n.ts';

/** How a field of a record is shown in a table and edited in a form. */
export interface Field {
  key: string;
  zh: string;
  en: string;
  type: 'text' | 'number' | 'boolean' | 'enum' | 'ref' | 'refs' | 'list' | 'periods' | 'password';
  /** enum: value → [zh, en] labels. */
  options?: Record<string, [string, string]>;
  /** ref/refs: the resource the id points to, and the field shown for it. */
  ref?: { resource: string; label: (row: Row) => string };
  required?: boolean;
  /** Shown in the table (else only in the form). @default true */
  column?: boolean;
  /** Only when creating (an initial password). */
  createOnly?: boolean;
}

export const label = (f: Pick<Field, 'zh' | 'en'>): string => (lang() === 'en' ? f.en : f.zh);

const schoolRef = { resource: 'schools', label: (r: Row) => String(r['name']) };
const SCHOOL_KINDS: Record<string, [string, string]> = {
  hub: ['主讲学校', 'Hub school'],
  rural: ['农村学校', 'Rural school'],
  teaching_point: ['教学点', 'Teaching point'],
};

/** One managed resource: its API name, title and fields. */
export interface ResourceView {
  name: string;
  zh: string;
  en: string;
  fields: Field[];
  /** Whether a row offers device enrolment (classroom device accounts). */
  devices?: (row: Record<string, unknown>) => boolean;
}

export const RESOURCES: ResourceView[] = [
  {
    name: 'schools',
    zh: '学校',
    en: 'Schools',
    fields: [
      { key: 'name', zh: '学校名称', en: 'Name', type: 'text', required: true },
      { key: 'regionCode', zh: '区划代码', en: 'Region code', type: 'text', required: true },
      { key: 'kind', zh: '类型', en: 'Kind', type: 'enum', options: SCHOOL_KINDS, required: true },
      { key: 'downlinkMbps', zh: '下行 Mbit/s', en: 'Down Mbit/s', type: 'number', required: true },
      { key: 'uplinkMbps', zh: '上行 Mbit/s', en: 'Up Mbit/s', type: 'number', required: true },
    ],
  },
  {
    name: 'classrooms',
    zh: '教室',
    en: 'Classrooms',
    fields: [
      { key: 'schoolId', zh: '学校', en: 'School', type: 'ref', ref: schoolRef, required: true },
      { key: 'name', zh: '教室名称', en: 'Name', type: 'text', required: true },
      {
        key: 'kind',
        zh: '类型',
        en: 'Kind',
        type: 'enum',
        options: { recording: ['录播教室', 'Recording'], receiving: ['接收教室', 'Receiving'] },
        required: true,
      },
      { key: 'hasWhiteboard', zh: '交互式白板', en: 'Whiteboard', type: 'boolean' },
    ],
  },
  {
    name: 'classes',
    zh: '教学班',
    en: 'Classes',
    fields: [
      { key: 'schoolId', zh: '学校', en: 'School', type: 'ref', ref: schoolRef, required: true },
      { key: 'grade', zh: '年级', en: 'Grade', type: 'number', required: true },
      { key: 'name', zh: '班级名称', en: 'Name', type: 'text', required: true },
      { key: 'size', zh: '人数', en: 'Size', type: 'number', required: true },
    ],
  },
  {
    name: 'users',
    zh: '教师与账号',
    en: 'Teachers & accounts',
    devices: (row) => row['role'] === 'classroom',
    fields: [
      { key: 'username', zh: '用户名', en: 'Username', type: 'text', required: true },
      { key: 'realName', zh: '姓名', en: 'Real name', type: 'text', required: true },
      {
        key: 'role',
        zh: '角色',
        en: 'Role',
        type: 'enum',
        required: true,
        options: {
          teacher: ['教师', 'Teacher'],
          classroom: ['教室设备', 'Classroom device'],
          assistant: ['辅导教师', 'Assistant teacher'],
          school: ['学校教务', 'School timetabler'],
          coordinator: ['联校群管理员', 'Coordinator'],
          bureau: ['教育局', 'Bureau'],
          admin: ['系统管理员', 'Admin'],
        },
      },
      { key: 'schoolId', zh: '学校', en: 'School', type: 'ref', ref: schoolRef },
      { key: 'subjects', zh: '任教学科', en: 'Subjects', type: 'list' },
      { key: 'phone', zh: '手机', en: 'Phone', type: 'text', column: false },
      {
        key: 'initialPassword',
        zh: '初始密码',
        en: 'Initial password',
        type: 'password',
        column: false,
        createOnly: true,
        required: true,
      },
    ],
  },
  {
    name: 'bell-schedules',
    zh: '作息时间',
    en: 'Bell schedules',
    fields: [
      { key: 'schoolId', zh: '学校', en: 'School', type: 'ref', ref: schoolRef, required: true },
      { key: 'name', zh: '名称', en: 'Name', type: 'text', required: true },
      {
        key: 'periods',
        zh: '节次（每行：节次 开始-结束 星期）',
        en: 'Periods (per line: period start-end weekdays)',
        type: 'periods',
        required: true,
      },
    ],
  },
  {
    name: 'clusters',
    zh: '联校群',
    en: 'Clusters',
    fields: [
      { key: 'name', zh: '名称', en: 'Name', type: 'text', required: true },
      {
        key: 'level',
        zh: '级别',
        en: 'Level',
        type: 'enum',
        options: { province: ['省级', 'Province'], city: ['市级', 'City'], county: ['县级', 'County'] },
        required: true,
      },
      {
        key: 'mode',
        zh: '模式',
        en: 'Mode',
        type: 'enum',
        options: { '1+N': ['1+N', '1+N'], 'N+N': ['N+N', 'N+N'] },
        required: true,
      },
      { key: 'regionCode', zh: '区划代码', en: 'Region code', type: 'text', required: true },
      {
        key: 'hubSchoolIds',
        zh: '主讲学校',
        en: 'Hub schools',
        type: 'refs',
        ref: schoolRef,
        required: true,
      },
      { key: 'memberSchoolIds', zh: '成员学校', en: 'Member schools', type: 'refs', ref: schoolRef },
    ],
  },
];
