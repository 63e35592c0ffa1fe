/**
 * Refusals a re-plan honours: bell changes and changes to a school's own week that a school or
 * the coordinator refused on an earlier plan. A refused change is never proposed again:
 * - a bell change: no proposal that sets the same period of the same school to the same times
 *   is tried, on any weekday (refused on Wednesday, the same times on Friday are no new offer);
 * - a `move`: the lesson (class, subject, from) never moves to that period;
 * - a `remote`: the offering's session never sits in that class period (the school refused the
 *   synchronized lesson there).
 */
import type { BellChange } from '../compat/index.ts';
import { clock, slotName } from '../timetable/messages.ts';
import type { PeriodRef, Session } from '../timetable/model.ts';
import { text } from '../text.ts';
import type { Text } from '../text.ts';
import type { LocalChange, Refusal } from './model.ts';

const same = (a: PeriodRef, b: PeriodRef): boolean => a.weekday === b.weekday && a.period === b.period;

/** Whether two bell changes are the same change (school, period, weekdays, times before and after). */
export function sameBellChange(a: BellChange, b: BellChange): boolean {
  return (
    repeatsBellChange(a, b) &&
    a.old.start === b.old.start &&
    a.old.end === b.old.end &&
    a.weekdays.length === b.weekdays.length &&
    a.weekdays.every((d) => b.weekdays.includes(d))
  );
}

/** Whether `change` sets the period a refused bell change set, of the same school, to the same times (any weekday). */
export function repeatsBellChange(refused: BellChange, change: BellChange): boolean {
  return (
    refused.schoolId === change.schoolId &&
    refused.period === change.period &&
    refused.new.start === change.new.start &&
    refused.new.end === change.new.end
  );
}

/** Whether two local changes are the same change (kind, class, subject, from, to, offering). */
export function sameLocalChange(a: LocalChange, b: LocalChange): boolean {
  return (
    a.kind === b.kind &&
    a.schoolId === b.schoolId &&
    a.classId === b.classId &&
    a.subject === b.subject &&
    same(a.from, b.from) &&
    same(a.to, b.to) &&
    (a.kind === 'move' || a.offeringId === b.offeringId)
  );
}

/** The refusals in force, as the planner asks about them. */
export class Bans {
  readonly refusals: readonly Refusal[];
  /** Indexes into `refusals` that are lifted (a probe of what a refusal costs). */
  readonly #lifted: ReadonlySet<number>;

  constructor(refusals: readonly Refusal[], lifted: ReadonlySet<number> = new Set()) {
    this.refusals = refusals;
    this.#lifted = lifted;
  }

  get empty(): boolean {
    return this.refusals.length === this.#lifted.size;
  }

  /** The same refusals with `indexes` lifted. */
  without(indexes: readonly number[]): Bans {
    return new Bans(this.refusals, new Set([...this.#lifted, ...indexes]));
  }

  #active(): { refusal: Refusal; i: number }[] {
    return this.refusals.map((refusal, i) => ({ refusal, i })).filter(({ i }) => !this.#lifted.has(i));
  }

  /** The refusal a bell change repeats, if any. */
  bell(change: BellChange): number | undefined {
    return this.#active().find(({ refusal: r }) => r.kind === 'bell' && repeatsBellChange(r.change, change))
      ?.i;
  }

  /** Whether moving the lesson (class, subject, from) to `to` was refused. */
  move(classId: string, subject: string, from: PeriodRef, to: PeriodRef): boolean {
    return this.#active().some(
      ({ refusal: r }) =>
        r.kind === 'local' &&
        r.change.kind === 'move' &&
        r.change.classId === classId &&
        r.change.subject === subject &&
        same(r.change.from, from) &&
        same(r.change.to, to),
    );
  }

  /** Whether a session of an offering (of `subject`) sits in a class period a school refused it. */
  session(session: Session, subject: string | undefined): boolean {
    const remote = this.#active().filter(
      ({ refusal: r }) => r.kind === 'local' && r.change.kind === 'remote',
    );
    if (remote.length === 0) return false;
    return session.receiving.some((r) =>
      remote.some(({ refusal }) => {
        const c = refusal.change as LocalChange;
        return (
          c.classId === r.classId &&
          c.to.weekday === session.weekday &&
          c.to.period === r.period &&
          (c.offeringId !== undefined ? c.offeringId === session.offeringId : c.subject === subject)
        );
      }),
    );
  }
}

const slot = (r: PeriodRef): Text => slotName(r.weekday, r.period);

/** One line naming a refusal: the change and who refused it. */
export function describeRefusal(refusal: Refusal): Text {
  const by =
    refusal.by === 'school'
      ? text('学校拒绝', 'refused by the school')
      : text('联校群拒绝', 'refused by the coordinator');
  if (refusal.kind === 'bell') {
    const c = refusal.change;
    const times = `${clock(c.new.start)}–${clock(c.new.end)}`;
    return text(
      `${c.schoolName} 第${c.period}节改为 ${times}（${by.zh}）`,
      `${c.schoolName} period ${c.period} to ${times}, ${by.en}`,
    );
  }
  const c = refusal.change;
  if (c.kind === 'remote')
    return text(
      `班级 ${c.classId} 的${c.subject}在${slot(c.to).zh}改上同步课（${by.zh}）`,
      `class ${c.classId}: the synchronized ${c.subject} in ${slot(c.to).en}, ${by.en}`,
    );
  return text(
    `班级 ${c.classId} 的${c.subject}从${slot(c.from).zh}调到${slot(c.to).zh}（${by.zh}）`,
    `class ${c.classId}: ${c.subject} moved from ${slot(c.from).en} to ${slot(c.to).en}, ${by.en}`,
  );
}
