import type { ClassroomRef } from '../../../server/contract/api.ts';
import type { Interaction } from '../../../server/contract/board.ts';
import type { PeerHealth } from '../../../server/contract/events.ts';
import { t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { peerQuality } from '../media/linkQuality.ts';
import { servedFigures } from '../media/servedFigures.ts';
import { h } from '../ui/dom.ts';
import { formatKbps } from '../ui/format.ts';
import { retext, tr } from '../ui/text.ts';

const CONNECTION_LABEL: Record<PeerHealth['connection'] | 'none', MessageKey> = {
  none: 'notConnected',
  new: 'connecting',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'disconnected',
  failed: 'failed',
  closed: 'notConnected',
};

/** What the teacher can do to a classroom from its tile. */
export interface TileActions {
  pen(classroomId: string, give: boolean): void;
  floor(classroomId: string, give: boolean): void;
  mute(classroomId: string, muted: boolean): void;
  spotlight(classroomId: string, on: boolean): void;
}

/** A toggle button whose label follows its state. */
function toggle(
  testId: string,
  off: MessageKey,
  on: MessageKey,
  act: (pressed: boolean) => void,
): { el: HTMLButtonElement; set(pressed: boolean): void } {
  const el = h('button', { class: 'btn btn-ghost tile-act', type: 'button', 'data-testid': testId }, tr(off));
  let pressed = false;
  el.addEventListener('click', () => act(!pressed));
  return {
    el,
    set(next) {
      pressed = next;
      el.setAttribute('aria-pressed', String(next));
      retext(el, next ? on : off);
    },
  };
}

/** One receiving classroom in the teacher's grid: video, sound, link health, hand, controls. */
export class ClassroomTile {
  readonly el: HTMLElement;
  readonly video = h('video', {
    'data-testid': 'classroom-video',
    autoplay: true,
    playsinline: true,
    muted: true,
  });
  readonly #audio = h('audio', { autoplay: true });
  readonly #badge = h('span', { class: 'conn-badge' }, tr('notConnected'));
  readonly #figures = h('span', { class: 'figures' });
  readonly #hand = h('span', { class: 'tile-hand', 'data-testid': 'tile-hand', hidden: true });
  readonly #pen;
  readonly #floor;
  readonly #mute;
  readonly #spot;

  constructor(
    readonly classroom: ClassroomRef,
    actions: TileActions,
  ) {
    this.video.muted = true;
    const id = classroom.id;
    this.#pen = toggle('tile-pen', 'givePen', 'takePen', (on) => actions.pen(id, on));
    this.#floor = toggle('tile-floor', 'giveFloor', 'endFloor', (on) => actions.floor(id, on));
    this.#mute = toggle('tile-mute', 'muteRoom', 'unmuteRoom', (on) => actions.mute(id, on));
    this.#spot = toggle('tile-spotlight', 'spotlight', 'unspotlight', (on) => actions.spotlight(id, on));
    this.el = h(
      'article',
      {
        class: 'tile',
        'data-testid': 'classroom-tile',
        'data-classroom-id': id,
        'data-connection': 'none',
      },
      h(
        'div',
        { class: 'tile-video' },
        this.video,
        this.#audio,
        h('div', { class: 'tile-placeholder' }, classroom.name),
        this.#hand,
      ),
      h(
        'footer',
        { class: 'tile-footer' },
        h(
          'div',
          { class: 'tile-name' },
          h('strong', {}, classroom.name),
          h('small', {}, `${classroom.schoolName} · ${classroom.downlinkMbps} Mbit/s`),
        ),
        h('div', { class: 'tile-health' }, this.#badge, this.#figures),
      ),
      h('div', { class: 'tile-actions' }, this.#pen.el, this.#floor.el, this.#mute.el, this.#spot.el),
    );
  }

  attach(kind: 'audio' | 'video', track: MediaStreamTrack): void {
    const element = kind === 'video' ? this.video : this.#audio;
    element.srcObject = new MediaStream([track]);
    element.play().catch(() => undefined);
    this.el.classList.toggle('has-video', kind === 'video' || this.el.classList.contains('has-video'));
  }

  detach(kind?: 'audio' | 'video'): void {
    if (kind !== 'audio') {
      this.video.srcObject = null;
      this.el.classList.remove('has-video');
    }
    if (kind !== 'video') this.#audio.srcObject = null;
  }

  /** Shows hand, floor, spotlight, mute and pen as they are now. */
  interaction(state: Interaction, penHolder: string | null): void {
    const id = this.classroom.id;
    const place = state.hands.findIndex((hand) => hand.classroomId === id);
    this.#hand.hidden = place < 0;
    this.#hand.textContent = place < 0 ? '' : `${t('handUp')} ${place + 1}`;
    this.el.dataset['hand'] = String(place >= 0);
    this.el.classList.toggle('spotlit', state.spotlight === id);
    this.el.classList.toggle('floor', state.floor === id);
    this.#floor.set(state.floor === id);
    this.#mute.set(state.muted.includes(id));
    this.#spot.set(state.spotlight === id);
    this.#pen.set(penHolder === id);
  }

  health(health: PeerHealth | null): void {
    const connection = health?.connection ?? 'none';
    this.el.dataset['connection'] = connection;
    retext(this.#badge, CONNECTION_LABEL[connection]);
    this.el.dataset['quality'] = peerQuality(health);
    this.#figures.textContent = health
      ? [
          `↑ ${formatKbps(health.uplinkBitrate / 1000)} · ↓ ${formatKbps(health.downlinkBitrate / 1000)}`,
          health.rttMs !== null ? `${t('rtt')} ${health.rttMs} ms` : '',
          health.lossPct !== null ? `${t('loss')} ${health.lossPct}%` : '',
          ...servedFigures(health),
        ]
          .filter(Boolean)
          .join(' · ')
      : '';
    // The whole line on a long press where the tile cuts it short.
    this.#figures.title = this.#figures.textContent;
  }
}
