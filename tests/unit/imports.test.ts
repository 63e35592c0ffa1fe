import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { formatWeekdays, weekdays } from '../../server/imports/cells.ts';
import { MAX_FILE_BYTES, buildFile, parseFile, templateFile } from '../../server/imports/index.ts';
import type { SheetKind } from '../../server/imports/index.ts';

/** An .xlsx with one sheet per entry, rows as given (cells may be numbers, dates, booleans). */
async function workbook(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const row of rows) ws.addRow(row);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('parseFile', () => {
  it('reads what people type in Excel: numbers for codes, Chinese labels, a title row, blank rows, Excel times', async () => {
    const file = await workbook({
      Sheet1: [
        ['桃源县联校群学校信息表'],
        ['学校名称', '区划代码', '学校类型', '下行带宽（Mbit/s）', '上行带宽', '备注'],
        ['漳江小学', 430725, '主讲学校', 100, 50, '县城'],
        [],
        ['  茶庵铺镇中心小学 ', '430725', '乡村学校', '６', 2],
        ['牛车河乡教学点', 430725, 'teaching_point', 4.5, 1],
      ],
    });
    const { sheets, errors } = await parseFile('schools', file, 'xlsx');
    expect(errors).toEqual([]);
    expect(sheets[0]?.rows).toEqual([
      {
        row: 3,
        value: { name: '漳江小学', regionCode: '430725', kind: 'hub', downlinkMbps: 100, uplinkMbps: 50 },
      },
      {
        row: 5,
        value: {
          name: '茶庵铺镇中心小学',
          regionCode: '430725',
          kind: 'rural',
          downlinkMbps: 6,
          uplinkMbps: 2,
        },
      },
      {
        row: 6,
        value: {
          name: '牛车河乡教学点',
          regionCode: '430725',
          kind: 'teaching_point',
          downlinkMbps: 4.5,
          uplinkMbps: 1,
        },
      },
    ]);
  });

  it('reports every bad row with its row number and column, and keeps only good rows', async () => {
    const file = await workbook({
      作息: [
        ['学校名称', '节次', '开始时间', '结束时间', '星期'],
        ['漳江小学', 1, new Date(Date.UTC(1899, 11, 30, 8, 0)), '8:40', '周一至周五'],
        ['漳江小学', '第2节', '08:50', '09:30', '1-5'],
        ['漳江小学', 3, '09:20', '10:00', '1-5'],
        ['漳江小学', 4, '25:00', '10:40', ''],
        ['漳江小学', 2, '14:00', '14:40', '5'],
        ['漳江小学', 2, '09:00', '09:40', '6'],
        ['', 5, '11:00', '10:40', '8'],
      ],
    });
    const { sheets, errors } = await parseFile('bellSchedules', file, 'xlsx');
    // Row 7 rings period 2 at another time on Saturdays: a period may differ by weekday.
    expect(sheets[0]?.rows.map((r) => r.row)).toEqual([2, 3, 4, 6, 7]);
    expect(sheets[0]?.rows[0]?.value).toEqual({
      schoolName: '漳江小学',
      period: 1,
      start: '08:00',
      end: '08:40',
      weekdays: [1, 2, 3, 4, 5],
    });
    expect(errors.map((e) => [e.row, e.column?.zh])).toEqual([
      [5, '开始时间'],
      [8, '学校名称'],
      [8, '星期'],
      [6, '学校名称 + 节次 + 星期'],
      [4, '开始时间'],
    ]);
    expect(errors[3]?.message.zh).toContain('第 3 行');
    expect(errors[4]?.message.zh).toContain('重叠');
    // An English-mode user reads each problem and its column in English alone.
    expect(errors.map((e) => [e.row, e.column?.en, e.message.en])).toEqual([
      [5, 'Start', 'a time such as 08:00'],
      [8, 'School', 'required'],
      [8, 'Weekdays', 'weekdays such as 1-5'],
      [6, 'School + Period + Weekdays', 'duplicate of row 3'],
      [4, 'Start', 'overlaps row 3 (period 2)'],
    ]);
  });

  it('names missing columns and unreadable files instead of guessing', async () => {
    const missing = await parseFile(
      'teachers',
      await workbook({
        s: [
          ['用户名', '姓名', '手机'],
          ['t1', '张三', '13800000000'],
        ],
      }),
      'xlsx',
    );
    expect(missing.errors.map((e) => [e.row, e.column])).toEqual([[1, { zh: '学校名称', en: 'School' }]]);
    expect(missing.errors[0]?.message).toEqual({ zh: '缺少此列', en: 'the column is missing' });
    expect((await parseFile('teachers', Buffer.from('not a zip'), 'xlsx')).errors[0]).toMatchObject({
      row: 0,
    });
    expect((await parseFile('teachers', Buffer.alloc(MAX_FILE_BYTES + 1), 'csv')).errors[0]?.message).toEqual(
      { zh: '文件超过 5 MB', en: 'the file is larger than 5 MB' },
    );
    const noHeader = await parseFile('classes', Buffer.from('a,b,c\n1,2,3\n'), 'csv');
    expect(noHeader.errors[0]?.message).toEqual({
      zh: '找不到表头，应包含：学校名称、年级、班级名称、人数',
      en: 'no header row naming: School, Grade, Class, Size',
    });
  });

  it('reads CSV in UTF-8 with BOM and in GB18030 as Excel saves it on a Chinese Windows', async () => {
    const text = '用户名,姓名,手机,学校名称,任教学科\r\nli.hua,李华,13800000001,漳江小学,英语、音乐\r\n';
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    // GB18030 bytes of the same text (Python's codec): TextEncoder only does UTF-8.
    const gbk = Buffer.from(
      'd3c3bba7c3fb2cd0d5c3fb2ccad6bbfa2cd1a7d0a3c3fbb3c62cc8cebdccd1a7bfc60d0a6c692e6875612cc0eebbaa2c31333830303030303030312cd5c4bdadd0a1d1a72cd3a2d3efa1a2d2f4c0d60d0a',
      'hex',
    );
    for (const data of [utf8, gbk]) {
      const { sheets, errors } = await parseFile('teachers', data, 'csv');
      expect(errors).toEqual([]);
      expect(sheets[0]?.rows[0]?.value).toEqual({
        username: 'li.hua',
        realName: '李华',
        phone: '13800000001',
        schoolName: '漳江小学',
        subjects: ['英语', '音乐'],
      });
    }
  });

  it('reads a cluster workbook sheet by sheet and says which sheet a problem is on', async () => {
    const file = await workbook({
      学校: [
        ['学校名称', '区划代码', '学校类型', '下行带宽(Mbit/s)', '上行带宽(Mbit/s)'],
        ['漳江小学', '430725', '主讲学校', 100, 50],
      ],
      Classrooms: [
        ['School', 'Classroom', 'Kind', 'Whiteboard', 'Device account'],
        ['漳江小学', '录播教室', 'recording', 'no', ''],
        ['漳江小学', '录播教室', '接收教室', '也许', 'Room 1'],
      ],
    });
    const { sheets, errors } = await parseFile('cluster', file, 'xlsx');
    expect(sheets.map((s) => s.kind)).toEqual(['schools', 'classrooms']);
    expect(errors.map((e) => [e.sheet, e.row, e.column?.zh, e.column?.en])).toEqual([
      ['Classrooms', 3, '交互式白板', 'Whiteboard'],
      ['Classrooms', 3, '设备账号', 'Device account'],
    ]);
    expect(errors[1]?.message.en).toBe('should be 3–32 lower-case letters, digits or . _ -');
    expect((await parseFile('cluster', file, 'csv')).errors[0]?.row).toBe(0);
  });
});

describe('buildFile and templateFile', () => {
  const rows: Record<SheetKind, Record<string, unknown>[]> = {
    schools: [{ name: '漳江小学', regionCode: '430725', kind: 'hub', downlinkMbps: 100, uplinkMbps: 50 }],
    classrooms: [
      {
        schoolName: '漳江小学',
        name: '录播教室',
        kind: 'recording',
        hasWhiteboard: false,
        deviceUsername: null,
      },
    ],
    classes: [{ schoolName: '漳江小学', grade: 3, name: '三年级1班', size: 42 }],
    teachers: [
      {
        username: 'li.hua',
        realName: '李华',
        phone: '13800000001',
        schoolName: '漳江小学',
        subjects: ['英语', '音乐'],
      },
      { username: 'wang', realName: '王芳', phone: null, schoolName: '漳江小学', subjects: [] },
    ],
    bellSchedules: [
      { schoolName: '漳江小学', period: 1, start: '08:00', end: '08:40', weekdays: [1, 2, 3, 5] },
    ],
  };

  it.each([
    ['xlsx', 'zh'],
    ['csv', 'zh'],
    ['xlsx', 'en'],
    ['csv', 'en'],
  ] as const)('writes sheets that read back to the same rows (%s, %s)', async (format, lang) => {
    for (const kind of Object.keys(rows) as SheetKind[]) {
      const file = await buildFile([{ kind, rows: rows[kind] }], format, lang);
      const { sheets, errors } = await parseFile(kind, file, format);
      expect(errors).toEqual([]);
      expect(sheets[0]?.rows.map((r) => r.value)).toEqual(rows[kind]);
    }
  });

  it('writes an English export with English titles and values', async () => {
    const csv = await buildFile([{ kind: 'classrooms', rows: rows.classrooms }], 'csv', 'en');
    expect(csv.toString('utf8')).toContain(
      'School,Classroom,Kind,Whiteboard,Device account\n漳江小学,录播教室,recording,no,',
    );
  });

  it('starts CSV with a BOM so that Excel shows Chinese correctly', async () => {
    const csv = await buildFile([{ kind: 'classes', rows: rows.classes }], 'csv');
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('学校名称,年级,班级名称,人数');
  });

  it('gives a cluster template with a sheet and a notes sheet per kind, which parses to no rows and no errors', async () => {
    const file = await templateFile('cluster', 'xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '学校',
      '学校说明',
      '教室',
      '教室说明',
      '教学班',
      '教学班说明',
      '教师',
      '教师说明',
      '作息时间',
      '作息时间说明',
    ]);
    const parsed = await parseFile('cluster', file, 'xlsx');
    expect(parsed.errors).toEqual([]);
    expect(parsed.sheets.every((s) => s.rows.length === 0)).toBe(true);
  });

  it('gives the template in English when asked, which imports the same', async () => {
    const file = await templateFile('cluster', 'xlsx', 'en');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Schools',
      'Schools notes',
      'Classrooms',
      'Classrooms notes',
      'Classes',
      'Classes notes',
      'Teachers',
      'Teachers notes',
      'Bell schedules',
      'Bell schedules notes',
    ]);
    expect(wb.getWorksheet('Schools')!.getRow(1).values).toEqual([
      undefined,
      'School',
      'Region code',
      'Kind',
      'Downlink (Mbit/s)',
      'Uplink (Mbit/s)',
    ]);
    const notes = wb.getWorksheet('Schools notes')!;
    expect(notes.getRow(1).values).toEqual([undefined, 'Column', '列', 'Required', 'What to write']);
    expect(notes.getRow(3).values).toEqual([
      undefined,
      'Region code',
      '区划代码',
      'yes',
      'the 6-digit administrative code of its county, such as 430725',
    ]);
    const parsed = await parseFile('cluster', file, 'xlsx');
    expect(parsed.errors).toEqual([]);
    expect(parsed.sheets.map((s) => s.kind)).toEqual([
      'schools',
      'classrooms',
      'classes',
      'teachers',
      'bellSchedules',
    ]);
  });
});

describe('weekdays', () => {
  it('reads the ways schools write them and writes them compactly', () => {
    expect(weekdays('周一至周五')).toEqual([1, 2, 3, 4, 5]);
    expect(weekdays('星期一、星期三')).toEqual([1, 3]);
    expect(weekdays('1，3，5')).toEqual([1, 3, 5]);
    expect(weekdays(null)).toEqual([1, 2, 3, 4, 5]);
    expect(() => weekdays('5-1')).toThrow('从小到大');
    expect(formatWeekdays([1, 2, 3, 5])).toBe('1-3,5');
    expect(formatWeekdays([1, 2, 4, 5])).toBe('1,2,4,5');
    expect(formatWeekdays([6])).toBe('6');
  });
});
