import type { Figures, Targets } from '../../../server/contract/reports.ts';
import { t } from '../i18n.ts';
import { fill } from './format.ts';

/** The dashboard's card builder (label, value, goal, test id, note, shown text). */
type Card = (
  label: string,
  value: number,
  goal: number | null,
  id: string,
  note: string,
  shown?: string,
) => HTMLElement;

const pct = (n: number, d: number): string => (d ? `${Math.round((n / d) * 1000) / 10}%` : '–');

/**
 * 网络教研 on the dashboard (a region's report): alliances of the region's level against
 * the 200 / 500 / 1,300 targets, research sessions held, and the share of the region's rural
 * teachers who took part in the period.
 */
export function researchCards(
  r: NonNullable<Figures['research']>,
  level: 'province' | 'city' | 'county',
  targets: Targets,
  card: Card,
): HTMLElement[] {
  return [
    card(
      t('researchAlliances'),
      r.alliances[level],
      targets.alliances[level],
      'alliances',
      fill('researchAllianceTarget', {
        level: t(`level_${level}`),
        n: r.alliances[level],
        m: targets.alliances[level],
      }),
    ),
    card(
      t('researchHeld'),
      r.sessionsHeld,
      r.sessionsPlanned || null,
      'research-sessions',
      t('researchFigures'),
    ),
    card(
      t('researchRuralShare'),
      r.ruralTeachersTakingPart,
      r.ruralTeachers || null,
      'research-rural',
      fill('researchRuralOf', { n: r.ruralTeachersTakingPart, m: r.ruralTeachers }),
      pct(r.ruralTeachersTakingPart, r.ruralTeachers),
    ),
  ];
}
