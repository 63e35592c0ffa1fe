import type { PeerHealth } from '../../../server/contract/events.ts';
import { t } from '../i18n.ts';
import { formatKbps } from '../ui/format.ts';
import { layerLabel } from './linkQuality.ts';

/**
 * What the SFU sends a participant, as the figures the teacher's tile and the kiosk show: the
 * teacher camera layer by name (高清 / 标清 / 流畅 / 仅声音) and the bandwidth estimate.
 */
export function servedFigures(health: Pick<PeerHealth, 'cameraLayer' | 'availableBitrate'> | null): string[] {
  const layer = layerLabel(health?.cameraLayer);
  const estimate = health?.availableBitrate;
  return [
    ...(layer ? [t(layer)] : []),
    ...(estimate ? [`${t('available')} ${formatKbps(estimate / 1000)}`] : []),
  ];
}
