import crypto from 'node:crypto';
import mongoose from 'mongoose';
import { hashPassword } from '../auth/passwords.ts';
import type { Scope } from '../auth/Scope.ts';
import type { ImportResponse } from '../contract/api.ts';
import { ConflictError } from '../errors.ts';
import type { Cluster, Models, School } from '../models/index.ts';
import { clusterInScope } from '../resources/scoping.ts';
import type { ParsedRow, ParsedSheet, RowError, SheetKind } from './index.ts';
import { columnTitles } from './columns.ts';
import { text } from '../../scheduler/text.ts';
import type { Text } from '../../scheduler/text.ts';

type Id = mongoose.Types.ObjectId;
type AnyModel = mongoose.Model<Record<string, unknown>>;

/** What an import did (or, in a dry run, would do). */
export type ImportOutcome = Omit<ImportResponse, 'kind'>;

/** A write to make, and how to undo it should a later one fail (FerretDB has no transactions). */
interface Step {
  kind: SheetKind | null;
  effect: 'created' | 'updated' | 'none';
  apply(): Promise<void>;
  undo(): Promise<void>;
}

/** A school as rows may name it: one of the cluster's, or one this import is adding. */
interface KnownSchool {
  _id: Id;
  name: string;
}

const SHEET_ORDER: readonly SheetKind[] = ['schools', 'classrooms', 'classes', 'teachers', 'bellSchedules'];

/**
 * Applies checked spreadsheet rows to one cluster. Rows name schools by name within the
 * cluster (or added by the same workbook); records are matched by natural keys (school
 * name, classroom name, class grade and name, username), so importing an export again
 * changes nothing. Every row is checked against the database before anything is written,
 * and with any error nothing is written.
 */
export class ClusterImport {
  readonly #models: Models;
  readonly #scope: Scope;
  readonly #cluster: Cluster;
  readonly #schools: KnownSchool[];
  /** Usernames this import creates (devices and teachers share one namespace). */
  readonly #newUsernames = new Set<string>();

  private constructor(models: Models, scope: Scope, cluster: Cluster, schools: School[]) {
    this.#models = models;
    this.#scope = scope;
    this.#cluster = cluster;
    this.#schools = schools;
  }

  /** @throws NotFoundError when the cluster does not exist or is outside the caller's scope */
  static async open(models: Models, scope: Scope, clusterId: string): Promise<ClusterImport> {
    const cluster = await clusterInScope(scope, models, clusterId);
    const schools = await models.School.find({
      _id: { $in: [...cluster.hubSchoolIds, ...cluster.memberSchoolIds] },
    }).lean<School[]>();
    return new ClusterImport(models, scope, cluster, schools);
  }

  get cluster(): Cluster {
    return this.#cluster;
  }

  async run(sheets: readonly ParsedSheet[], dryRun: boolean): Promise<ImportOutcome> {
    const errors: RowError[] = [];
    const credentials: ImportOutcome['credentials'] = [];
    const steps: Step[] = [this.#clusterSnapshot()];
    const ordered = [...sheets].sort((a, b) => SHEET_ORDER.indexOf(a.kind) - SHEET_ORDER.indexOf(b.kind));
    for (const sheet of ordered) {
      const sheetErrors: RowError[] = [];
      steps.push(...(await this.#plan(sheet, sheetErrors, credentials)));
      const name = sheet.sheet;
      errors.push(...sheetErrors.map((e) => (name ? { sheet: name, ...e } : e)));
    }
    const count = (kind: SheetKind | null, effect: Step['effect']): number =>
      steps.filter((s) => s.kind !== null && (kind === null || s.kind === kind) && s.effect === effect)
        .length;
    const outcome: ImportOutcome = {
      dryRun,
      rows: sheets.reduce((n, s) => n + s.rows.length, 0),
      created: count(null, 'created'),
      updated: count(null, 'updated'),
      byKind: Object.fromEntries(
        ordered.map((s) => [
          s.kind,
          { rows: s.rows.length, created: count(s.kind, 'created'), updated: count(s.kind, 'updated') },
        ]),
      ),
      errors,
      credentials: [],
    };
    if (dryRun || errors.length) return outcome;
    const done: Step[] = [];
    try {
      for (const step of steps) {
        await step.apply();
        done.push(step);
      }
    } catch (error) {
      const notUndone: unknown[] = [];
      for (const step of done.reverse()) await step.undo().catch((e: unknown) => notUndone.push(e));
      // Part of the import stays written: a fault of the server, logged (with every failed
      // undo) under the answer's request id, not a refusal the user could fix by editing the file.
      if (notUndone.length)
        throw new AggregateError(
          [error, ...notUndone],
          `import stopped and ${notUndone.length} of its ${done.length} writes could not be undone`,
          { cause: error },
        );
      // Most likely a concurrent change (a username or name taken meanwhile).
      throw new ConflictError(`import stopped and was undone: ${(error as Error).message}`);
    }
    return { ...outcome, credentials };
  }

  /** Restores the cluster's school lists if the import is rolled back. */
  #clusterSnapshot(): Step {
    const { _id, hubSchoolIds, memberSchoolIds } = this.#cluster;
    return {
      kind: null,
      effect: 'none',
      apply: () => Promise.resolve(),
      undo: async () => {
        await this.#models.Cluster.updateOne({ _id }, { $set: { hubSchoolIds, memberSchoolIds } });
      },
    };
  }

  /** A create-or-update of the record found by `key`, with its undo. */
  async #upsert(
    kind: SheetKind,
    model: unknown,
    key: Record<string, unknown>,
    fields: Record<string, unknown>,
    newId: Id = new mongoose.Types.ObjectId(),
  ): Promise<Step & { id: Id; existing: Record<string, unknown> | null }> {
    const m = model as AnyModel;
    const before = (await m.findOne(key).lean()) as (Record<string, unknown> & { _id: Id }) | null;
    const id = before?._id ?? newId;
    const changed = !before || Object.entries(fields).some(([k, v]) => !sameValue(before[k], v));
    return {
      kind,
      id,
      existing: before,
      effect: !before ? 'created' : changed ? 'updated' : 'none',
      apply: async () => {
        if (!before) await m.create({ _id: id, ...key, ...fields });
        else if (changed) await m.updateOne({ _id: id }, { $set: fields });
      },
      undo: async () => {
        if (!before) await m.deleteOne({ _id: id });
        else if (changed) await m.replaceOne({ _id: id }, before);
      },
    };
  }

  /** Hubs of the cluster as the import goes: a 1+N cluster has one. */
  #hubs: Id[] | null = null;

  #mayBeHub(id: Id): boolean {
    this.#hubs ??= [...this.#cluster.hubSchoolIds];
    if (!this.#hubs.some((h) => h.equals(id))) this.#hubs.push(id);
    return this.#cluster.mode !== '1+N' || this.#hubs.length <= 1;
  }

  #school(name: string, row: number, errors: RowError[]): KnownSchool | undefined {
    const school = this.#schools.find((s) => s.name === name);
    if (!school)
      errors.push({
        row,
        column: columnTitles('classes', 'schoolName'),
        message: text(`本联校群没有名为「${name}」的学校`, `this cluster has no school named “${name}”`),
      });
    return school;
  }

  /** Checks that `username` is free for a new account, or names an account of this cluster with `role`. */
  async #account(
    username: string,
    role: 'teacher' | 'classroom',
    row: number,
    column: Text,
    errors: RowError[],
  ): Promise<{ _id: Id; role: string } | null | false> {
    const existing = await this.#models.User.findOne({ username }, { role: 1, schoolId: 1 }).lean();
    const ours = existing && this.#schools.some((s) => existing.schoolId && s._id.equals(existing.schoolId));
    if ((existing && (existing.role !== role || !ours)) || (!existing && this.#newUsernames.has(username))) {
      errors.push({
        row,
        column,
        message: text(
          `用户名 ${username} 已被其他账号使用`,
          `username ${username} is taken by another account`,
        ),
      });
      return false;
    }
    if (!existing) this.#newUsernames.add(username);
    return existing;
  }

  async #newAccount(
    username: string,
    realName: string,
    credentials: ImportOutcome['credentials'],
  ): Promise<{ passwordHash: string; mustChangePassword: true }> {
    const password = crypto.randomBytes(9).toString('base64url');
    credentials.push({ username, realName, password });
    // Handed out on paper: its owner sets their own at first sign-in.
    return { passwordHash: await hashPassword(password), mustChangePassword: true };
  }

  async #plan(
    sheet: ParsedSheet,
    errors: RowError[],
    credentials: ImportOutcome['credentials'],
  ): Promise<Step[]> {
    const m = this.#models;
    const steps: Step[] = [];
    switch (sheet.kind) {
      case 'schools':
        for (const { row, value } of sheet.rows) {
          const inCluster = this.#schools.find((s) => s.name === value.name);
          const mayCreateHere =
            this.#scope.coversRegion(value.regionCode) ||
            this.#scope.clusterRegions.some((p) => value.regionCode.startsWith(p));
          if (!inCluster && !mayCreateHere) {
            errors.push({
              row,
              column: columnTitles('schools', 'regionCode'),
              message: text(
                `区划 ${value.regionCode} 不在您的管辖范围内`,
                `region ${value.regionCode} is outside your scope`,
              ),
            });
            continue;
          }
          const step = await this.#upsert(
            'schools',
            m.School,
            { regionCode: value.regionCode, name: value.name },
            { kind: value.kind, downlinkMbps: value.downlinkMbps, uplinkMbps: value.uplinkMbps },
          );
          if (step.existing && !inCluster && !this.#scope.coversRegion(value.regionCode)) {
            errors.push({
              row,
              column: columnTitles('schools', 'name'),
              message: text(
                '该校已存在且不属于本联校群，请联系教育局添加',
                'the school exists outside this cluster; ask the education bureau to add it',
              ),
            });
            continue;
          }
          if (value.kind === 'hub' && !this.#mayBeHub(step.id)) {
            errors.push({
              row,
              column: columnTitles('schools', 'kind'),
              message: text('1+N 联校群只能有一所主讲学校', 'a 1+N cluster has only one hub school'),
            });
            continue;
          }
          if (!inCluster) this.#schools.push({ _id: step.id, name: value.name });
          const [add, pull] =
            value.kind === 'hub' ? ['hubSchoolIds', 'memberSchoolIds'] : ['memberSchoolIds', 'hubSchoolIds'];
          const clusterId = this.#cluster._id;
          steps.push({
            ...step,
            apply: async () => {
              await step.apply();
              await m.Cluster.updateOne(
                { _id: clusterId },
                { $addToSet: { [add]: step.id }, $pull: { [pull]: step.id } },
              );
            },
          });
        }
        break;
      case 'classrooms':
        for (const { row, value } of sheet.rows) {
          const school = this.#school(value.schoolName, row, errors);
          if (!school) continue;
          const key = { schoolId: school._id, name: value.name };
          const fields: Record<string, unknown> = { kind: value.kind, hasWhiteboard: value.hasWhiteboard };
          const roomId =
            (await m.Classroom.findOne(key, { _id: 1 }).lean())?._id ?? new mongoose.Types.ObjectId();
          if (value.deviceUsername) {
            const username = value.deviceUsername;
            const device = await this.#account(
              username,
              'classroom',
              row,
              columnTitles('classrooms', 'deviceUsername'),
              errors,
            );
            if (device === false) continue;
            const realName = `${value.schoolName}${value.name}`;
            const link = { classroomId: roomId, schoolId: school._id };
            const create = device
              ? {}
              : { role: 'classroom', realName, ...(await this.#newAccount(username, realName, credentials)) };
            const account = await this.#upsert('classrooms', m.User, { username }, { ...link, ...create });
            fields['deviceUserId'] = account.id;
            steps.push({ ...account, kind: null });
          }
          steps.push(await this.#upsert('classrooms', m.Classroom, key, fields, roomId));
        }
        break;
      case 'classes':
        for (const { row, value } of sheet.rows) {
          const school = this.#school(value.schoolName, row, errors);
          if (school)
            steps.push(
              await this.#upsert(
                'classes',
                m.TeachingClass,
                { schoolId: school._id, grade: value.grade, name: value.name },
                { size: value.size },
              ),
            );
        }
        break;
      case 'teachers':
        for (const { row, value } of sheet.rows) {
          const school = this.#school(value.schoolName, row, errors);
          if (!school) continue;
          const existing = await this.#account(
            value.username,
            'teacher',
            row,
            columnTitles('teachers', 'username'),
            errors,
          );
          if (existing === false) continue;
          const fields = {
            realName: value.realName,
            phone: value.phone,
            schoolId: school._id,
            subjects: value.subjects,
          };
          const create = existing
            ? {}
            : { role: 'teacher', ...(await this.#newAccount(value.username, value.realName, credentials)) };
          steps.push(
            await this.#upsert('teachers', m.User, { username: value.username }, { ...fields, ...create }),
          );
        }
        break;
      case 'bellSchedules':
        steps.push(...(await this.#planBells(sheet.rows, errors)));
        break;
    }
    return steps;
  }

  /** One bell schedule per school, replaced by the sheet's periods for that school. */
  async #planBells(rows: readonly ParsedRow<'bellSchedules'>[], errors: RowError[]): Promise<Step[]> {
    const m = this.#models;
    const bySchool = new Map<KnownSchool, Record<string, unknown>[]>();
    for (const { row, value } of rows) {
      const school = this.#school(value.schoolName, row, errors);
      if (!school) continue;
      const { period, start, end, weekdays } = value;
      bySchool.set(school, [...(bySchool.get(school) ?? []), { period, start, end, weekdays }]);
    }
    const steps: Step[] = [];
    for (const [school, periods] of bySchool) {
      periods.sort(
        (a, b) =>
          String(a['start']).localeCompare(String(b['start'])) || Number(a['period']) - Number(b['period']),
      );
      const schedule = await this.#upsert(
        'bellSchedules',
        m.BellSchedule,
        { schoolId: school._id },
        { name: `${school.name}作息时间`, periods },
      );
      const previous =
        (await m.School.findById(school._id, { bellScheduleId: 1 }).lean())?.bellScheduleId ?? null;
      const link = (bellScheduleId: Id | null) => async (): Promise<void> => {
        await m.School.updateOne({ _id: school._id }, { $set: { bellScheduleId } });
      };
      steps.push(schedule, { kind: null, effect: 'none', apply: link(schedule.id), undo: link(previous) });
    }
    return steps;
  }

  /** The cluster's records of `kind` as sheet rows (the inverse of an import). */
  async exportRows(kind: SheetKind): Promise<Record<string, unknown>[]> {
    const m = this.#models;
    const ids = this.#schools.map((s) => s._id);
    const nameOf = (id: unknown): string => this.#schools.find((s) => s._id.equals(id as Id))?.name ?? '';
    switch (kind) {
      case 'schools': {
        const schools = await m.School.find({ _id: { $in: ids } }).lean();
        const hubs = this.#cluster.hubSchoolIds;
        return schools
          .sort(
            (a, b) => Number(!hubs.some((h) => h.equals(a._id))) - Number(!hubs.some((h) => h.equals(b._id))),
          )
          .map((s) => ({
            name: s.name,
            regionCode: s.regionCode,
            kind: s.kind,
            downlinkMbps: s.downlinkMbps,
            uplinkMbps: s.uplinkMbps,
          }));
      }
      case 'classrooms': {
        const classrooms = await m.Classroom.find({ schoolId: { $in: ids } })
          .sort({ schoolId: 1, name: 1 })
          .lean();
        const devices = await m.User.find(
          { _id: { $in: classrooms.flatMap((c) => (c.deviceUserId ? [c.deviceUserId] : [])) } },
          { username: 1 },
        ).lean();
        return classrooms.map((c) => ({
          schoolName: nameOf(c.schoolId),
          name: c.name,
          kind: c.kind,
          hasWhiteboard: c.hasWhiteboard,
          deviceUsername:
            devices.find((d) => c.deviceUserId && d._id.equals(c.deviceUserId))?.username ?? null,
        }));
      }
      case 'classes':
        return (
          await m.TeachingClass.find({ schoolId: { $in: ids } })
            .sort({ schoolId: 1, grade: 1, name: 1 })
            .lean()
        ).map((c) => ({
          schoolName: nameOf(c.schoolId),
          grade: c.grade,
          name: c.name,
          size: c.size,
        }));
      case 'teachers':
        return (
          await m.User.find({ schoolId: { $in: ids }, role: 'teacher' })
            .sort({ username: 1 })
            .lean()
        ).map((u) => ({
          username: u.username,
          realName: u.realName,
          phone: u.phone ?? null,
          schoolName: nameOf(u.schoolId),
          subjects: u.subjects,
        }));
      case 'bellSchedules':
        return (
          await m.BellSchedule.find({ schoolId: { $in: ids } })
            .sort({ schoolId: 1 })
            .lean()
        ).flatMap((b) =>
          b.periods.map((p) => ({
            schoolName: nameOf(b.schoolId),
            period: p.period,
            start: p.start,
            end: p.end,
            weekdays: p.weekdays,
          })),
        );
    }
  }
}

/** Whether a stored value equals a value to write (ids, arrays and scalars). */
function sameValue(stored: unknown, next: unknown): boolean {
  if (stored instanceof mongoose.Types.ObjectId || next instanceof mongoose.Types.ObjectId)
    return String(stored) === String(next);
  if (Array.isArray(stored) || Array.isArray(next) || (typeof next === 'object' && next !== null))
    return JSON.stringify(stored) === JSON.stringify(next);
  return (stored ?? null) === (next ?? null);
}
