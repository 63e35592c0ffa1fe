import type { CheckResponse, SolveJobView, TimetableView } from '../../../../server/contract/timetable.ts';
import { api } from '../../api.ts';
import { lang } from '../../i18n.ts';
import type { Slot } from '../weekGrid.ts';
import { m } from './messages.ts';

/** The requests of one cluster's timetable for one term (`/api/timetables/:cluster/:term`). */
export class TimetableApi {
  readonly #base: string;

  constructor(clusterId: string, term: string) {
    this.#base = `/api/timetables/${clusterId}/${term}`;
  }

  /** The timetable as it stands (state none, draft or published). */
  load(): Promise<TimetableView> {
    return api.get<TimetableView>(this.#base);
  }

  /** The conflicts of moving an offering's session from one slot to another, without moving it. */
  check(offeringId: string, from: Slot, to: Slot): Promise<CheckResponse> {
    return api.post<CheckResponse>(`${this.#base}/check`, { offeringId, from, to });
  }

  /** Moves an offering's session (refused with the conflicts' message). */
  edit(offeringId: string, from: Slot, to: Slot): Promise<TimetableView> {
    return api.post<TimetableView>(`${this.#base}/edit`, { offeringId, from, to });
  }

  /** Locks (or unlocks) a session where it is, so that solving again leaves it there. */
  lock(offeringId: string, at: Slot, locked: boolean): Promise<TimetableView> {
    return api.post<TimetableView>(`${this.#base}/lock`, { offeringId, ...at, locked });
  }

  /**
   * Solves the week (a job with a 3 s time limit), polled every 250 ms with its progress
   * passed to `progress` as a fraction 0–1; resolves with the finished job.
   */
  async solve(progress: (fraction: number) => void): Promise<SolveJobView> {
    let job = await api.post<SolveJobView>(`${this.#base}/solve`, { timeLimitMs: 3000 });
    while (job.state === 'running') {
      progress(job.fraction);
      await new Promise((r) => setTimeout(r, 250));
      job = await api.get<SolveJobView>(`/api/solve-jobs/${job.id}`);
    }
    if (job.state === 'failed') throw new Error(m('solveFailed'));
    return job;
  }

  /** Publishes the draft as lessons; resolves with how many were created. */
  async publish(): Promise<number> {
    return (await api.post<{ lessons: number }>(`${this.#base}/publish`)).lessons;
  }

  /** Where the timetable's workbook downloads from (its titles in the interface language). */
  get exportUrl(): string {
    return `${this.#base}/export?lang=${lang()}`;
  }
}

/** A calendar feed of the cluster's lessons: its absolute URL (iCalendar). */
export async function calendarFeed(clusterId: string): Promise<string> {
  const feed = await api.post<{ url: string }>('/api/calendar-feeds', {
    kind: 'cluster',
    subjectId: clusterId,
  });
  return `${location.origin}${feed.url}`;
}
