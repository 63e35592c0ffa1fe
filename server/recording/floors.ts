import type { RecordingView } from '../contract/library.ts';
import type { Recording } from '../models/index.ts';

/** A restarted floor recorder for the same classroom within this long is not a new call, ms. */
const RESTART_MS = 2000;

/**
 * When the floor went to a classroom (被点名发言), ms from the live start, from the starts of
 * the recording's floor runs: a run that goes on with the same classroom (its recorder
 * restarted, its producers changed) is not counted again. `classrooms` names them.
 */
export function floorChanges(
  r: Pick<Recording, 'runs' | 'liveStartedAt'>,
  classrooms: ReadonlyMap<string, string>,
): RecordingView['floors'] {
  const start = r.liveStartedAt?.getTime() ?? 0;
  const changes: RecordingView['floors'] = [];
  const runs = r.runs
    .filter((run) => run.group === 'floor' && run.refId)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  let lastRef: string | null = null;
  let lastEnd = 0;
  for (const run of runs) {
    const refId = run.refId!;
    const from = run.startedAt.getTime();
    if (refId !== lastRef || from - lastEnd >= RESTART_MS)
      changes.push({
        atMs: Math.max(0, from - start),
        classroomId: refId,
        classroomName: classrooms.get(refId) ?? '',
      });
    lastRef = refId;
    lastEnd = run.endedAt?.getTime() ?? Number.POSITIVE_INFINITY;
  }
  return changes;
}

/** The classrooms that had the floor in `recs` (their ids, to look their names up). */
export function floorClassroomIds(recs: readonly Pick<Recording, 'runs'>[]): string[] {
  return [
    ...new Set(
      recs.flatMap((r) =>
        r.runs.filter((run) => run.group === 'floor' && run.refId).map((run) => run.refId!),
      ),
    ),
  ].filter((id) => /^[0-9a-f]{24}$/i.test(id));
}
