import type { SignalingSocket } from '../signaling.ts';
import { h } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import './inspection.css';

/**
 * The 巡课中 badge of the kiosk and the studio (`data-testid="inspection-badge"`): shown while
 * someone watches the lesson, where the lesson's region shows it (the server tells only then).
 */
export function inspectionBadge(socket: SignalingSocket): HTMLElement {
  const el = h(
    'span',
    { class: 'inspect-badge', 'data-testid': 'inspection-badge', hidden: true },
    tr('inspectedNow'),
  );
  socket.on('lesson:inspection', ({ watched }) => (el.hidden = !watched));
  // Told again at the next join; until then nobody knows.
  socket.on('disconnect', () => (el.hidden = true));
  socket.on('lesson:state', ({ state }) => {
    if (state !== 'live') el.hidden = true;
  });
  return el;
}
