import type { ClassroomRef } from '../../../server/contract/api.ts';
import type { Interaction } from '../../../server/contract/board.ts';
import type { PeerHealth } from '../../../server/contract/events.ts';
import { t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { peerQuality } from '../media/linkQuality.ts';
import type { LinkQuality } from '../media/linkQuality.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { ClassroomTile } from './ClassroomTile.ts';
import type { TileActions } from './ClassroomTile.ts';

/** Tiles in view at once: a broadcast (名师课堂) of 200 classrooms is paged through 16 at a time. */
export const TILES_PER_PAGE = 16;

const QUALITIES: readonly { quality: LinkQuality; label: MessageKey }[] = [
  { quality: 'good', label: 'linkGood' },
  { quality: 'constrained', label: 'linkConstrained' },
  { quality: 'bad', label: 'linkBad' },
  { quality: 'offline', label: 'linkOffline' },
];

/**
 * The teacher's grid of receiving classrooms. Up to 16 tiles show at once; a broadcast's
 * classrooms are paged, and a bar above the tiles counts every classroom's link (good,
 * constrained, bad, not connected) so a problem on another page is not hidden. Only the
 * classrooms in view are watched: `onView` tells which, so their cameras alone are received.
 */
export class ClassroomGrid {
  readonly el: HTMLElement;
  readonly #tiles = new Map<string, ClassroomTile>();
  readonly #order: string[];
  readonly #body = h('div', { class: 'grid' });
  readonly #bar = h('div', { class: 'health-bar', 'data-testid': 'grid-health', role: 'img' });
  readonly #legend = h('p', { class: 'health-legend' });
  readonly #pageLabel = h('span', { class: 'grid-page', 'data-testid': 'grid-page' });
  readonly #prev = h(
    'button',
    { class: 'btn btn-ghost', type: 'button', 'data-testid': 'grid-prev' },
    tr('pagePrev'),
  );
  readonly #next = h(
    'button',
    { class: 'btn btn-ghost', type: 'button', 'data-testid': 'grid-next' },
    tr('pageNext'),
  );
  readonly #onView: (classroomIds: ReadonlySet<string>) => void;
  #page = 0;

  constructor(
    classrooms: readonly ClassroomRef[],
    actions: TileActions,
    onView: (classroomIds: ReadonlySet<string>) => void,
  ) {
    this.#onView = onView;
    this.#order = classrooms.map((c) => c.id);
    for (const classroom of classrooms) this.#tiles.set(classroom.id, new ClassroomTile(classroom, actions));
    const paged = classrooms.length > TILES_PER_PAGE;
    this.#body.classList.toggle('paged', paged);
    // Small tiles keep their controls closed until tapped (one open at a time).
    if (paged)
      for (const tile of this.#tiles.values())
        tile.el.querySelector('.tile-video')?.addEventListener('click', () => {
          const open = !tile.el.classList.contains('open');
          for (const other of this.#tiles.values()) other.el.classList.remove('open');
          tile.el.classList.toggle('open', open);
        });
    this.#prev.addEventListener('click', () => this.show(this.#page - 1));
    this.#next.addEventListener('click', () => this.show(this.#page + 1));
    this.el = h(
      'section',
      { class: 'classroom-grid', 'data-testid': 'classroom-grid', 'data-paged': String(paged) },
      h('div', { class: 'grid-head' }, this.#bar, this.#legend),
      paged && h('nav', { class: 'grid-pager' }, this.#prev, this.#pageLabel, this.#next),
      this.#body,
    );
    this.show(0);
    this.#renderHealth(new Map());
  }

  get pages(): number {
    return Math.max(1, Math.ceil(this.#order.length / TILES_PER_PAGE));
  }

  /** The classrooms in view now. */
  get inView(): ReadonlySet<string> {
    return new Set(this.#order.slice(this.#page * TILES_PER_PAGE, (this.#page + 1) * TILES_PER_PAGE));
  }

  tile(classroomId: string): ClassroomTile | undefined {
    return this.#tiles.get(classroomId);
  }

  /** Shows page `page` (clamped); the tiles paged out let go of their video. */
  show(page: number): void {
    this.#page = Math.min(Math.max(0, page), this.pages - 1);
    const view = this.inView;
    for (const [id, tile] of this.#tiles) if (!view.has(id)) tile.detach('video');
    mount(this.#body, ...[...view].map((id) => this.#tiles.get(id)!.el));
    this.#pageLabel.textContent = t('gridPage', { page: this.#page + 1, pages: this.pages });
    this.#prev.disabled = this.#page === 0;
    this.#next.disabled = this.#page >= this.pages - 1;
    this.#onView(view);
  }

  /** Brings a classroom into view (the one given the floor), unless it already is. */
  reveal(classroomId: string): void {
    const index = this.#order.indexOf(classroomId);
    if (index >= 0 && !this.inView.has(classroomId)) this.show(Math.floor(index / TILES_PER_PAGE));
  }

  interaction(state: Interaction, penHolder: string | null): void {
    for (const tile of this.#tiles.values()) tile.interaction(state, penHolder);
  }

  health(list: PeerHealth[]): void {
    const byClassroom = new Map(list.map((p) => [p.refId, p]));
    for (const [id, tile] of this.#tiles) tile.health(byClassroom.get(id) ?? null);
    this.#renderHealth(byClassroom);
  }

  /** Every classroom's link, on every page, as one bar and its counts. */
  #renderHealth(byClassroom: ReadonlyMap<string, PeerHealth>): void {
    const counts = new Map<LinkQuality, number>(QUALITIES.map(({ quality }) => [quality, 0]));
    for (const id of this.#order) {
      const quality = peerQuality(byClassroom.get(id) ?? null);
      counts.set(quality, counts.get(quality)! + 1);
    }
    const total = this.#order.length || 1;
    mount(
      this.#bar,
      ...QUALITIES.filter(({ quality }) => counts.get(quality)! > 0).map(({ quality }) =>
        h('span', {
          class: `health-seg q-${quality}`,
          'data-quality': quality,
          'data-count': String(counts.get(quality)),
          style: `flex-grow: ${counts.get(quality)! / total}`,
        }),
      ),
    );
    for (const { quality } of QUALITIES) this.#bar.dataset[quality] = String(counts.get(quality));
    mount(
      this.#legend,
      ...QUALITIES.map(({ quality, label }) =>
        h('span', { class: `legend q-${quality}` }, tr(label), ` ${counts.get(quality)}`),
      ),
    );
  }
}
