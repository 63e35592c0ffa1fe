import type { BellChange, CompatView, Proposal } from '../../../../server/contract/timetable.ts';

/** The schools of a compatibility view, each with its periods. */
export type Schools = CompatView['schools'];

/** What the panel holds: the view last fetched, the weekday shown, the proposal previewed, those set aside. */
export interface BellsState {
  view: CompatView | null;
  /** 1 = Monday … 7 = Sunday. */
  day: number;
  preview: Proposal | null;
  dismissed: Set<string>;
}

/** Minutes after midnight as "HH:mm". */
export const clock = (m: number): string =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The schools' bells with a proposal's changes applied (for the preview). */
export function withChanges(schools: Schools, changes: readonly BellChange[]): Schools {
  return schools.map((school) => {
    const mine = changes.filter((c) => c.schoolId === school.id);
    if (!mine.length) return school;
    const periods = school.periods.flatMap((p) => {
      const change = mine.find(
        (c) => c.period === p.period && c.weekdays.some((d) => p.weekdays.includes(d)),
      );
      if (!change) return [p];
      const moved = p.weekdays.filter((d) => change.weekdays.includes(d));
      const kept = p.weekdays.filter((d) => !change.weekdays.includes(d));
      return [
        ...(kept.length ? [{ ...p, weekdays: kept }] : []),
        { ...p, start: change.new.start, end: change.new.end, weekdays: moved },
      ];
    });
    return { ...school, periods };
  });
}

/** The proposals not set aside. */
export function shownProposals(state: BellsState): Proposal[] {
  return state.view?.proposals.filter((p) => !state.dismissed.has(p.id)) ?? [];
}
