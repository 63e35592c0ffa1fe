import type { Identity } from '../auth/tokens.ts';
import type { Scope } from '../auth/Scope.ts';
import type {
  LocalImportResponse,
  LocalLessonView,
  LocalTimetableBody,
  LocalTimetableView,
  PeriodView,
} from '../contract/timetable.ts';
import { both, text } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { readGrids, UnreadableFileError } from '../imports/workbook.ts';
import { MAX_FILE_BYTES } from '../imports/index.ts';
import type { LocalTimetable, Models, School, TeachingClass } from '../models/index.ts';
import type { AuditLog } from '../resources/AuditLog.ts';
import { schoolInScope } from '../resources/scoping.ts';
import { readWeek, weekWorkbook } from './localGrid.ts';
import type { GridClass } from './localGrid.ts';
import { slotName } from '../../scheduler/index.ts';
import type { Weekday } from '../../scheduler/index.ts';

/** A school's week as stored, with what checking it needs. */
interface OpenWeek {
  school: School;
  term: string;
  periods: PeriodView[];
  classes: GridClass[];
  stored: LocalTimetable | null;
}

/** A breach of the rules of a school's own week: which lesson (index) and why. */
export interface WeekIssue {
  index: number;
  message: Text;
}

/**
 * The rules every school's own week keeps, whether typed in the editor, imported or changed
 * by a co-plan: each lesson is of a class of the school, in a period its bells ring that
 * weekday; a class has one lesson a period; a local teacher teaches one class a period.
 */
export function checkWeek(
  lessons: readonly LocalLessonView[],
  classes: readonly { id: string; name: string }[],
  periods: readonly PeriodView[],
): WeekIssue[] {
  const issues: WeekIssue[] = [];
  const classAt = new Map<string, number>();
  const teacherAt = new Map<string, number>();
  const name = (id: string): string => classes.find((c) => c.id === id)?.name ?? id;
  lessons.forEach((l, index) => {
    const when = slotName(l.weekday as Weekday, l.period);
    if (!classes.some((c) => c.id === l.classId)) {
      issues.push({
        index,
        message: text(`班级 ${l.classId} 不属于本校`, `class ${l.classId} is not a class of the school`),
      });
      return;
    }
    if (!periods.some((p) => p.period === l.period && p.weekdays.includes(l.weekday))) {
      issues.push({
        index,
        message: text(`本校作息没有${when.zh}`, `the school's bells have no ${when.en}`),
      });
    }
    const c = `${l.classId}|${l.weekday}|${l.period}`;
    const first = classAt.get(c);
    if (first !== undefined)
      issues.push({
        index,
        message: text(
          `${name(l.classId)} ${when.zh}已有一节课（第 ${first + 1} 条记录）`,
          `${name(l.classId)} already has a lesson on ${when.en} (entry ${first + 1})`,
        ),
      });
    else classAt.set(c, index);
    if (l.teacher) {
      const t = `${l.teacher}|${l.weekday}|${l.period}`;
      const other = teacherAt.get(t);
      if (other !== undefined && lessons[other]?.classId !== l.classId)
        issues.push({
          index,
          message: text(
            `${l.teacher} ${when.zh}同时给两个班上课（${name(lessons[other]?.classId ?? '')}、${name(l.classId)}）`,
            `${l.teacher} would teach two classes on ${when.en} (${name(lessons[other]?.classId ?? '')}, ${name(l.classId)})`,
          ),
        });
      else if (other === undefined) teacherAt.set(t, index);
    }
  });
  return issues;
}

/**
 * Receiving schools' own (local) timetables: read and replaced by the managers whose scope
 * holds the school and by the school's own timetabler; imported from Excel (a sheet per
 * class, checked in full, nothing written if anything is wrong); exported in the same layout.
 * Every change raises the week's revision (co-plans made from an older one are refused) and
 * is audited.
 */
export class LocalTimetableService {
  readonly #models: Models;
  readonly #audit: AuditLog;

  constructor(models: Models, audit: AuditLog) {
    this.#models = models;
    this.#audit = audit;
  }

  /** @throws NotFoundError for a school outside the caller's scope */
  async #open(scope: Scope, schoolId: string, term: string): Promise<OpenWeek> {
    const school = await schoolInScope(scope, this.#models, schoolId);
    const [bells, classes, stored] = await Promise.all([
      this.#models.BellSchedule.findOne({ schoolId: school._id }).lean(),
      this.#models.TeachingClass.find({ schoolId: school._id })
        .sort({ grade: 1, name: 1 })
        .lean<TeachingClass[]>(),
      this.#models.LocalTimetable.findOne({ schoolId: school._id, term }).lean<LocalTimetable>(),
    ]);
    return {
      school,
      term,
      periods: (bells?.periods ?? []).map((p) => ({
        period: p.period,
        start: p.start,
        end: p.end,
        weekdays: [...p.weekdays],
      })),
      classes: classes.map((c) => ({ id: c._id.toString(), name: c.name, grade: c.grade })),
      stored,
    };
  }

  #view(week: OpenWeek): LocalTimetableView {
    return {
      school: { id: week.school._id.toString(), name: week.school.name },
      term: week.term,
      revision: week.stored?.revision ?? 0,
      periods: week.periods,
      classes: week.classes,
      lessons: lessonsOf(week.stored),
      updatedAt: week.stored
        ? ((week.stored as { updatedAt?: Date }).updatedAt?.toISOString() ?? null)
        : null,
    };
  }

  async view(scope: Scope, schoolId: string, term: string): Promise<LocalTimetableView> {
    return this.#view(await this.#open(scope, schoolId, term));
  }

  /**
   * Replaces the school's week. @throws ValidationError (nothing saved) listing every lesson
   * that breaks a rule; ConflictError when `revision` is given and no longer current
   */
  async replace(
    scope: Scope,
    identity: Identity,
    schoolId: string,
    term: string,
    body: LocalTimetableBody,
  ): Promise<LocalTimetableView> {
    const week = await this.#open(scope, schoolId, term);
    const current = week.stored?.revision ?? 0;
    if (body.revision !== undefined && body.revision !== current)
      throw new ConflictError(
        text(
          `本校课表已被他人修改（版本 ${current}），请刷新后再改`,
          `the timetable changed since revision ${body.revision} (now ${current}); refresh and edit again`,
        ),
      );
    const issues = checkWeek(body.lessons, week.classes, week.periods);
    if (issues.length)
      throw new ValidationError(
        text(
          `课表有 ${issues.length} 处问题，未保存`,
          `the week breaks ${issues.length} rules; nothing saved`,
        ),
        issues.map((i) => ({ path: `lessons.${i.index}`, message: both(i.message), text: i.message })),
      );
    return this.#save(identity, week, body.lessons, 'update');
  }

  async #save(
    identity: Identity,
    week: OpenWeek,
    lessons: readonly LocalLessonView[],
    action: 'update' | 'import',
  ): Promise<LocalTimetableView> {
    const before = week.stored?.lessons ?? null;
    await this.#models.LocalTimetable.updateOne(
      { schoolId: week.school._id, term: week.term },
      { $set: { lessons }, $inc: { revision: 1 } },
      { upsert: true, runValidators: true },
    );
    const stored = await this.#models.LocalTimetable.findOne({
      schoolId: week.school._id,
      term: week.term,
    }).lean<LocalTimetable>();
    await this.#audit.record(
      identity,
      action,
      'local-timetables',
      stored?._id.toString() ?? null,
      before,
      { term: week.term, lessons },
      week.school.regionCode,
    );
    return this.#view({ ...week, stored });
  }

  /**
   * Imports the school's whole week from an .xlsx workbook (a sheet per class; see
   * `localGrid.ts`). With `dryRun`, or when any cell is wrong, nothing is written; the answer
   * lists every problem by sheet, row and column.
   */
  async importWeek(
    scope: Scope,
    identity: Identity,
    schoolId: string,
    term: string,
    data: Buffer,
    dryRun: boolean,
  ): Promise<LocalImportResponse> {
    const week = await this.#open(scope, schoolId, term);
    const refuse = (message: Text): LocalImportResponse => ({
      dryRun,
      lessons: 0,
      classes: 0,
      errors: [{ row: 0, column: null, message }],
    });
    if (data.length > MAX_FILE_BYTES)
      return refuse(
        text(
          `文件超过 ${MAX_FILE_BYTES / 1024 / 1024} MB`,
          `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`,
        ),
      );
    let grids;
    try {
      grids = await readGrids(data, 'xlsx');
    } catch (error) {
      if (error instanceof UnreadableFileError) return refuse(error.text);
      throw error;
    }
    const read = readWeek(grids, week.classes, week.periods);
    const errors = [...read.errors];
    // Classes without a sheet keep their lessons; those with one are replaced by it.
    const kept = lessonsOf(week.stored).filter((l) => !read.classIds.includes(l.classId));
    const lessons = [...read.lessons, ...kept];
    for (const issue of checkWeek(lessons, week.classes, week.periods)) {
      const at = read.cells[issue.index];
      errors.push(at ? { ...at, message: issue.message } : { row: 0, column: null, message: issue.message });
    }
    const answer = { dryRun, lessons: read.lessons.length, classes: read.classIds.length, errors };
    if (!dryRun && !errors.length) await this.#save(identity, week, lessons, 'import');
    return answer;
  }

  /**
   * The school's week as an .xlsx workbook (the layout the import reads), with the
   * synchronized sessions its classes sit in the cluster's timetables of the term marked "同步".
   */
  async exportWeek(scope: Scope, schoolId: string, term: string): Promise<{ name: string; data: Buffer }> {
    const week = await this.#open(scope, schoolId, term);
    const view = this.#view(week);
    const classIds = week.classes.map((c) => c.id);
    const timetables = await this.#models.Timetable.find({ term }).lean();
    const offeringIds = new Set<string>();
    const remote = timetables.flatMap((t) =>
      t.sessions.flatMap((s) =>
        s.receiving
          .filter((r) => classIds.includes(r.classId.toString()))
          .map((r) => {
            offeringIds.add(s.offeringId.toString());
            return {
              classId: r.classId.toString(),
              weekday: s.weekday,
              period: r.period ?? s.period,
              subject: '',
              teacher: '',
              locked: false,
              moved: false,
              offeringId: s.offeringId.toString(),
            };
          }),
      ),
    );
    const offerings = await this.#models.Offering.find({ _id: { $in: [...offeringIds] } }).lean();
    const nameOf = (id: string): string => {
      const o = offerings.find((x) => x._id.toString() === id);
      return o ? `${o.subject}（${o.grade}年级）` : id;
    };
    const data = await weekWorkbook(week.classes, week.periods, [...remote, ...view.lessons], nameOf);
    return { name: `${week.school.name}-${term}-本校课表`, data };
  }
}

/** A stored week's lessons as the API shows them. */
function lessonsOf(stored: LocalTimetable | null): LocalLessonView[] {
  return (stored?.lessons ?? []).map((l) => ({
    classId: l.classId.toString(),
    weekday: l.weekday,
    period: l.period,
    subject: l.subject,
    teacher: l.teacher,
    locked: l.locked,
  }));
}
