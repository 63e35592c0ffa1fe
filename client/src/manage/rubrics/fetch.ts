import { api } from '../../api.ts';
import type { Row } from '../../api.ts';

/** The rubrics the account reads (its region's and those above; a bureau's also below). */
export async function fetchRubrics(): Promise<Row[]> {
  return (await api.list('rubrics', { pageSize: 200 })).items;
}

/** Creates (no id) or updates a rubric; a 400 carries the field issues (ApiError.issues). */
export function saveRubric(id: string | null, body: Record<string, unknown>): Promise<Row> {
  return id ? api.update('rubrics', id, body) : api.create('rubrics', body);
}

/** Switches a rubric on or off (one that evaluations used is switched off, not deleted). */
export function setActive(id: string, active: boolean): Promise<Row> {
  return api.update('rubrics', id, { active });
}

/** Deletes a rubric (409 when evaluations were made with it). */
export function removeRubric(id: string): Promise<void> {
  return api.remove('rubrics', id);
}
