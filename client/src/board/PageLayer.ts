import type { BoardItem, BoardState } from '../../../server/contract/board.ts';
import { isFreehand } from './constants.ts';
import { boundsOf, boxesMeet, completePieces } from './geometry.ts';
import { drawItem, drawItems, drawPaper, drawPieces } from './render.ts';
import type { Stage } from './Stage.ts';

/**
 * The finished layer: the current page's background and its sequenced items, kept as a
 * cached canvas. New items and extended strokes are drawn on top of it as they come; a page
 * turn, a hide or show (erase, clear, undo) or a resize redraws it whole, once per frame.
 */
export class PageLayer {
  /** Id of the page shown ('' before the first state). */
  pageId = '';
  /** The items of the page shown, in drawing order, hidden ones included. */
  items: BoardItem[] = [];
  /** Pieces drawn per visible item (0 for shapes and text): what the canvas shows now. */
  readonly #drawn = new Map<string, number>();
  #background: string | null = null;
  #fullPending = 0;
  readonly #images = new Map<string, { image: HTMLImageElement; ready: boolean }>();

  constructor(
    readonly stage: Stage,
    readonly assetUrl: (assetId: string) => string,
  ) {}

  /** Shows the state's current page from scratch. */
  show(state: BoardState): void {
    this.pageId = state.page;
    this.#background = state.pages.find((p) => p.id === state.page)?.background ?? null;
    this.items = state.items.filter((i) => i.page === state.page);
    this.invalidate();
    // Load the neighbours' courseware too, so that turning the page shows it at once.
    const at = state.pages.findIndex((p) => p.id === state.page);
    for (const page of [state.pages[at + 1], state.pages[at - 1]])
      if (page?.background) this.#image(page.background);
  }

  /** Number of visible items on the page shown. */
  get visibleCount(): number {
    let n = 0;
    for (const item of this.items) if (!item.hidden) n++;
    return n;
  }

  /** Draws what these items' changes need: new ones and new pieces at once, anything else by a redraw. */
  update(fresh: readonly BoardItem[], touched: readonly BoardItem[]): void {
    for (const item of fresh) if (item.page === this.pageId) this.items.push(item);
    const ctx = this.#fullPending ? null : this.stage.context(this.stage.finished);
    if (!ctx) return;
    const isFresh = new Set(fresh);
    for (const item of [...fresh, ...touched]) {
      if (item.page !== this.pageId || this.#fullPending) continue;
      const drawn = this.#drawn.get(item.id);
      if (item.hidden) {
        if (drawn !== undefined) this.invalidate();
      } else if (drawn === undefined) {
        // New on top: draw it; shown again under later items (undo): redraw in order.
        if (isFresh.has(item)) this.#drawn.set(item.id, drawItem(ctx, item, 'finished'));
        else this.invalidate();
      } else if (isFreehand(item.tool)) {
        const to = completePieces(item.points.length, item.done);
        if (to > drawn) {
          drawPieces(ctx, item, drawn, to, 'finished');
          this.#drawn.set(item.id, to);
        }
        // A stroke finished under items drawn after it: put them back on top.
        if (item.done && this.#coveredLater(item)) this.invalidate();
      }
    }
  }

  /** Schedules a whole redraw for the next frame. */
  invalidate(): void {
    if (this.#fullPending) return;
    this.#fullPending = requestAnimationFrame(() => {
      this.#fullPending = 0;
      this.redraw();
    });
  }

  /** Redraws the page and all its visible items now. */
  redraw(): void {
    const ctx = this.stage.context(this.stage.finished);
    this.#drawn.clear();
    if (!ctx || this.stage.scale === 0) return;
    const bg = this.#background ? this.#image(this.#background) : null;
    drawPaper(
      ctx,
      bg?.ready ? bg.image : null,
      bg?.ready ? { width: bg.image.naturalWidth, height: bg.image.naturalHeight } : undefined,
    );
    drawItems(ctx, this.items, (item, pieces) => this.#drawn.set(item.id, pieces));
  }

  destroy(): void {
    if (this.#fullPending) cancelAnimationFrame(this.#fullPending);
    this.#fullPending = 0;
    this.#images.clear();
  }

  #coveredLater(item: BoardItem): boolean {
    const at = this.items.lastIndexOf(item);
    if (at < 0 || at === this.items.length - 1) return false;
    const box = boundsOf(item);
    for (let i = at + 1; i < this.items.length; i++) {
      const later = this.items[i];
      if (later && !later.hidden && boxesMeet(box, boundsOf(later))) return true;
    }
    return false;
  }

  /** The cached image of an asset, loading it on first use (a redraw follows when it arrives). */
  #image(assetId: string): { image: HTMLImageElement; ready: boolean } {
    let entry = this.#images.get(assetId);
    if (entry) return entry;
    const image = new Image();
    image.decoding = 'async';
    entry = { image, ready: false };
    this.#images.set(assetId, entry);
    const loaded = entry;
    image.onload = () => {
      loaded.ready = true;
      if (this.#background === assetId) this.invalidate();
    };
    image.onerror = () => this.#images.delete(assetId);
    image.src = this.assetUrl(assetId);
    return entry;
  }
}
