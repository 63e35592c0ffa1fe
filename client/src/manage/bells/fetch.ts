import type { CompatView } from '../../../../server/contract/timetable.ts';
import { api } from '../../api.ts';

/** The bell compatibility of a cluster's term (`/api/timetables/:cluster/:term/compat`). */
export function fetchCompat(clusterId: string, term: string): Promise<CompatView> {
  return api.get<CompatView>(`/api/timetables/${clusterId}/${term}/compat`);
}

/** Accepts a proposal: the schools' bells change; resolves with the view after it. */
export function acceptProposal(clusterId: string, term: string, proposalId: string): Promise<CompatView> {
  return api.post<CompatView>(`/api/timetables/${clusterId}/${term}/compat/accept`, { proposalId });
}
