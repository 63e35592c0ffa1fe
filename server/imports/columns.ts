import {
  choice,
  digits,
  formatWeekdays,
  grade,
  list,
  number,
  text,
  timeOfDay,
  weekdays,
  yesNo,
} from './cells.ts';
import type { Cell } from './cells.ts';
import { joinTexts, text as words } from '../../scheduler/text.ts';
import type { Lang, Text } from '../../scheduler/text.ts';

/** What a sheet holds. `cluster` is a workbook with one sheet of each of the others. */
export type SheetKind = 'schools' | 'classrooms' | 'classes' | 'teachers' | 'bellSchedules';
export type ImportKind = SheetKind | 'cluster';
export const SHEET_KINDS: readonly SheetKind[] = [
  'schools',
  'classrooms',
  'classes',
  'teachers',
  'bellSchedules',
];
export const IMPORT_KINDS: readonly ImportKind[] = [...SHEET_KINDS, 'cluster'];

export interface SchoolRow {
  name: string;
  regionCode: string;
  kind: 'hub' | 'rural' | 'teaching_point';
  downlinkMbps: number;
  uplinkMbps: number;
}
export interface ClassroomRow {
  schoolName: string;
  name: string;
  kind: 'recording' | 'receiving';
  hasWhiteboard: boolean;
  /** Username of the classroom's device account; created if it does not exist. */
  deviceUsername: string | null;
}
export interface ClassRow {
  schoolName: string;
  grade: number;
  name: string;
  size: number;
}
export interface TeacherRow {
  username: string;
  realName: string;
  phone: string | null;
  schoolName: string;
  subjects: string[];
}
export interface BellRow {
  schoolName: string;
  period: number;
  start: string;
  end: string;
  weekdays: number[];
}

export interface RowTypes {
  schools: SchoolRow;
  classrooms: ClassroomRow;
  classes: ClassRow;
  teachers: TeacherRow;
  bellSchedules: BellRow;
}
export type RowOf<K extends SheetKind> = RowTypes[K];

/** One column of a sheet: its header in Chinese (as written) and English (also accepted). */
export interface Column<T = unknown> {
  key: string;
  zh: string;
  en: string;
  /** A blank cell is an error (otherwise `read` gets null and gives the default). */
  required: boolean;
  /** What the template's notes sheet says is allowed. */
  hint: Text;
  read(cell: Cell): T;
  /** The value as a cell of a file in `lang` (read back by `read` whatever the language). */
  write(value: T, lang: Lang): string | number;
  width: number;
}

const col = <T>(c: Column<T>): Column => c;

const USERNAME = /^[a-z0-9._-]{3,32}$/;
const username = (cell: Cell): string =>
  digits(
    cell === null ? null : String(cell).toLowerCase(),
    USERNAME,
    words('3–32 位小写字母、数字或 . _ -', '3–32 lower-case letters, digits or . _ -'),
  );

const schoolNameColumn: Column<string> = {
  key: 'schoolName',
  zh: '学校名称',
  en: 'School',
  required: true,
  hint: words('联校群中的学校，与“学校”表一致', 'a school of the cluster, as in the Schools sheet'),
  read: (c) => text(c, 100),
  write: (v) => v,
  width: 24,
};
const schoolName = col(schoolNameColumn);

const SCHOOL_KINDS = {
  hub: ['主讲学校', '中心校', '主校'],
  rural: ['乡村学校', '农村学校', '接收学校', '村小'],
  teaching_point: ['教学点'],
} as const;
const CLASSROOM_KINDS = {
  recording: ['录播教室', '主讲教室', '主讲端'],
  receiving: ['接收教室', '听课教室', '接收端'],
} as const;
/** An enum value as written: its Chinese label, or in English its key (both read back). */
const label = (labels: Record<string, readonly string[]>, key: string, lang: Lang): string =>
  lang === 'en' ? key : (labels[key]?.[0] ?? key);
const mbps = (c: Cell): number => number(c, 0, 10_000, false);

export const COLUMNS: { [K in SheetKind]: readonly Column[] } = {
  schools: [
    col<string>({ ...schoolNameColumn, key: 'name', hint: words('学校全称', 'the school’s full name') }),
    col<string>({
      key: 'regionCode',
      zh: '区划代码',
      en: 'Region code',
      required: true,
      hint: words(
        '所在县市区的 6 位行政区划代码，如 430725',
        'the 6-digit administrative code of its county, such as 430725',
      ),
      read: (c) => digits(c, /^\d{6}$/, words('6 位区划代码', 'a 6-digit region code')),
      write: (v) => v,
      width: 12,
    }),
    col<SchoolRow['kind']>({
      key: 'kind',
      zh: '学校类型',
      en: 'Kind',
      required: true,
      hint: words(
        '主讲学校 / 乡村学校 / 教学点',
        'hub / rural / teaching_point (or 主讲学校 / 乡村学校 / 教学点)',
      ),
      read: (c) => choice(c, SCHOOL_KINDS),
      write: (v, lang) => label(SCHOOL_KINDS, v, lang),
      width: 12,
    }),
    col<number>({
      key: 'downlinkMbps',
      zh: '下行带宽(Mbit/s)',
      en: 'Downlink (Mbit/s)',
      required: true,
      hint: words('学校网络下行带宽，单位 Mbit/s', 'the school’s downlink, Mbit/s'),
      read: mbps,
      write: (v) => v,
      width: 16,
    }),
    col<number>({
      key: 'uplinkMbps',
      zh: '上行带宽(Mbit/s)',
      en: 'Uplink (Mbit/s)',
      required: true,
      hint: words('学校网络上行带宽，单位 Mbit/s', 'the school’s uplink, Mbit/s'),
      read: mbps,
      write: (v) => v,
      width: 16,
    }),
  ],
  classrooms: [
    schoolName,
    col<string>({
      key: 'name',
      zh: '教室名称',
      en: 'Classroom',
      required: true,
      hint: words('如 录播教室一、三年级教室', 'such as Recording room 1, Grade 3 room'),
      read: (c) => text(c, 100),
      write: (v) => v,
      width: 20,
    }),
    col<ClassroomRow['kind']>({
      key: 'kind',
      zh: '教室类型',
      en: 'Kind',
      required: true,
      hint: words('录播教室（主讲端）/ 接收教室', 'recording (the hub’s room) / receiving'),
      read: (c) => choice(c, CLASSROOM_KINDS),
      write: (v, lang) => label(CLASSROOM_KINDS, v, lang),
      width: 12,
    }),
    col<boolean>({
      key: 'hasWhiteboard',
      zh: '交互式白板',
      en: 'Whiteboard',
      required: false,
      hint: words('是 / 否，留空为“是”', 'yes / no; blank means yes'),
      read: (c) => yesNo(c, true),
      write: (v, lang) => (lang === 'en' ? (v ? 'yes' : 'no') : v ? '是' : '否'),
      width: 12,
    }),
    col<string | null>({
      key: 'deviceUsername',
      zh: '设备账号',
      en: 'Device account',
      required: false,
      hint: words(
        '教室一体机登录用的账号；不存在时自动创建并给出初始密码',
        'the account the classroom’s device signs in with; created with a one-time password if new',
      ),
      read: (c) => (c === null ? null : username(c)),
      write: (v) => v ?? '',
      width: 16,
    }),
  ],
  classes: [
    schoolName,
    col<number>({
      key: 'grade',
      zh: '年级',
      en: 'Grade',
      required: true,
      hint: words('1–12，或 三年级、初一', '1–12 (or 三年级, 初一)'),
      read: grade,
      write: (v) => v,
      width: 8,
    }),
    col<string>({
      key: 'name',
      zh: '班级名称',
      en: 'Class',
      required: true,
      hint: words('如 三年级1班', 'such as Grade 3 Class 1'),
      read: (c) => text(c, 50),
      write: (v) => v,
      width: 16,
    }),
    col<number>({
      key: 'size',
      zh: '人数',
      en: 'Size',
      required: true,
      hint: words('1–200', '1–200'),
      read: (c) => number(c, 1, 200, true),
      write: (v) => v,
      width: 8,
    }),
  ],
  teachers: [
    col<string>({
      key: 'username',
      zh: '用户名',
      en: 'Username',
      required: true,
      hint: words(
        '登录名：3–32 位小写字母、数字或 . _ -',
        'sign-in name: 3–32 lower-case letters, digits or . _ -',
      ),
      read: username,
      write: (v) => v,
      width: 16,
    }),
    col<string>({
      key: 'realName',
      zh: '姓名',
      en: 'Name',
      required: true,
      hint: words('实名', 'full name'),
      read: (c) => text(c, 50),
      write: (v) => v,
      width: 12,
    }),
    col<string | null>({
      key: 'phone',
      zh: '手机',
      en: 'Phone',
      required: false,
      hint: words('11 位手机号，可留空', 'an 11-digit mobile number, may be blank'),
      read: (c) =>
        c === null ? null : digits(c, /^1\d{10}$/, words('11 位手机号', 'an 11-digit mobile number')),
      write: (v) => v ?? '',
      width: 14,
    }),
    schoolName,
    col<string[]>({
      key: 'subjects',
      zh: '任教学科',
      en: 'Subjects',
      required: false,
      hint: words('用顿号或逗号分隔，如 英语、音乐', 'separated by commas, such as English, Music'),
      read: (c) => list(c, 10, 20),
      write: (v, lang) => v.join(lang === 'en' ? ', ' : '、'),
      width: 16,
    }),
  ],
  bellSchedules: [
    schoolName,
    col<number>({
      key: 'period',
      zh: '节次',
      en: 'Period',
      required: true,
      hint: words('1–15，或 第1节', '1–15 (or 第1节)'),
      read: (c) => number(typeof c === 'string' ? c.replace(/^第|节$/g, '') : c, 1, 15, true),
      write: (v) => v,
      width: 8,
    }),
    col<string>({
      key: 'start',
      zh: '开始时间',
      en: 'Start',
      required: true,
      hint: words('如 08:00', 'such as 08:00'),
      read: timeOfDay,
      write: (v) => v,
      width: 10,
    }),
    col<string>({
      key: 'end',
      zh: '结束时间',
      en: 'End',
      required: true,
      hint: words('如 08:40', 'such as 08:40'),
      read: timeOfDay,
      write: (v) => v,
      width: 10,
    }),
    col<number[]>({
      key: 'weekdays',
      zh: '星期',
      en: 'Weekdays',
      required: false,
      hint: words(
        '如 1-5 或 周一至周五 或 1,3,5；留空为周一至周五',
        'such as 1-5 or 1,3,5; blank means Monday to Friday',
      ),
      read: weekdays,
      write: formatWeekdays,
      width: 14,
    }),
  ],
};

/** Sheet names of a cluster workbook, and the names kinds go by in messages. */
export const SHEET_NAMES: Record<SheetKind, Text> = {
  schools: { zh: '学校', en: 'Schools' },
  classrooms: { zh: '教室', en: 'Classrooms' },
  classes: { zh: '教学班', en: 'Classes' },
  teachers: { zh: '教师', en: 'Teachers' },
  bellSchedules: { zh: '作息时间', en: 'Bell schedules' },
};

/** A header as users write it: no spaces, half-width brackets, lower case, unit optional. */
export function headerKey(header: string): string {
  return header.replace(/[（]/g, '(').replace(/[）]/g, ')').replace(/\s+/g, '').toLowerCase();
}

/** The column a header names, by its Chinese or English header or key, with or without unit. */
export function columnFor(kind: SheetKind, header: string): Column | undefined {
  const key = headerKey(header);
  const bare = key.replace(/\(.*\)$/, '');
  return COLUMNS[kind].find((c) =>
    [c.zh, c.en, c.key].some((name) => {
      const n = headerKey(name);
      return n === key || n.replace(/\(.*\)$/, '') === bare;
    }),
  );
}

/** A column's title in both languages ("学校名称" / "School"), as problems name it. */
export function columnTitle(column: Column): Text {
  return words(column.zh, column.en);
}

/** The titles of `kind`'s columns with `keys`, joined by " + " (what identifies a row). */
export function columnTitles(kind: SheetKind, ...keys: string[]): Text {
  const titles = keys.map((key) => {
    const column = COLUMNS[kind].find((c) => c.key === key);
    if (!column) throw new Error(`no column ${key} in ${kind}`);
    return columnTitle(column);
  });
  return joinTexts(titles, words(' + ', ' + '));
}
