import type { RecordingView } from '../../../server/contract/library.ts';
import { t } from '../i18n.ts';
import { m } from './messages.ts';

/**
 * What a recording belongs to, as parts of its description line: a lesson's grade and cluster,
 * or, for a research session (no grade, no cluster), 教研活动 and its alliance. Missing parts
 * (a lesson without a grade, an alliance since deleted) are left out, never printed as "null".
 */
export function recordingOrigin(
  rec: Pick<RecordingView, 'kind' | 'grade' | 'clusterName' | 'allianceName'>,
): string[] {
  const parts =
    rec.kind === 'research'
      ? [m('research'), rec.allianceName ?? '']
      : [rec.grade === null ? '' : t('libGrade', { n: rec.grade }), rec.clusterName];
  return parts.filter(Boolean);
}
