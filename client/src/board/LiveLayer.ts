import type { BoardItem } from '../../../server/contract/board.ts';
import { drawItem } from './render.ts';
import type { Stage } from './Stage.ts';

/** What the eraser shows while it swipes: its trail and the items it will erase. */
interface EraserMark {
  trail: number[];
  radius: number;
  items: BoardItem[];
}

/**
 * The live layer: this participant's strokes before the server has sequenced them (the
 * optimistic overlay), shape previews and the eraser's swipe. It is small, so it is redrawn
 * whole, at most once per frame.
 */
export class LiveLayer {
  /** Page shown: entries of other pages are kept but not drawn. */
  pageId = '';
  readonly #entries = new Map<string, BoardItem>();
  readonly #erasers = new Set<EraserMark>();
  #frame = 0;

  constructor(readonly stage: Stage) {}

  /** Shows (or updates) an own item; call again after changing its points. */
  set(item: BoardItem): void {
    this.#entries.set(item.id, item);
    this.invalidate();
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Ids of the items shown. */
  ids(): string[] {
    return [...this.#entries.keys()];
  }

  /** Drops an item (the server has sequenced it, or refused it). */
  delete(id: string): void {
    if (this.#entries.delete(id)) this.invalidate();
  }

  /** Shows an eraser swipe until `remove` is called. */
  eraser(radius: number): { update(trail: number[], items: BoardItem[]): void; remove(): void } {
    const mark: EraserMark = { trail: [], radius, items: [] };
    this.#erasers.add(mark);
    return {
      update: (trail, items) => {
        mark.trail = trail;
        mark.items = items;
        this.invalidate();
      },
      remove: () => {
        this.#erasers.delete(mark);
        this.invalidate();
      },
    };
  }

  invalidate(): void {
    this.#frame ||= requestAnimationFrame(() => {
      this.#frame = 0;
      this.redraw();
    });
  }

  redraw(): void {
    this.stage.clear(this.stage.live);
    const ctx = this.stage.context(this.stage.live);
    if (!ctx) return;
    for (const item of this.#entries.values()) if (item.page === this.pageId) drawItem(ctx, item, 'live');
    for (const mark of this.#erasers) drawEraser(ctx, mark);
  }

  destroy(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#entries.clear();
    this.#erasers.clear();
  }
}

function drawEraser(ctx: CanvasRenderingContext2D, mark: EraserMark): void {
  ctx.save();
  // The items about to go, washed out in the board's accent red.
  for (const item of mark.items) {
    drawItem(ctx, { ...item, color: '#ff6b6b', width: item.width + 6 }, 'live');
  }
  const t = mark.trail;
  if (t.length >= 2) {
    ctx.strokeStyle = 'rgba(120, 120, 120, 0.35)';
    ctx.lineWidth = mark.radius * 2;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(t[0] ?? 0, t[1] ?? 0);
    for (let i = 2; i + 1 < t.length; i += 2) ctx.lineTo(t[i] ?? 0, t[i + 1] ?? 0);
    if (t.length === 2) ctx.lineTo(t[0] ?? 0, t[1] ?? 0);
    ctx.stroke();
    ctx.fillStyle = 'rgba(255, 255, 255, 0.8)';
    ctx.strokeStyle = 'rgba(60, 60, 60, 0.9)';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(t[t.length - 2] ?? 0, t[t.length - 1] ?? 0, mark.radius, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}
