import { h } from '../ui/dom.ts';
import { BOARD_WIDTH } from './constants.ts';
import { fitBoard } from './geometry.ts';

/** Largest backing store width in device pixels (a 4K screen's width, with a little room). */
const MAX_BACKING_WIDTH = 4096;

/**
 * The board's drawing area: a 16:9 box fitted into whatever room the layout gives it, with
 * two canvases sized to the device's pixels: the finished layer (page and sequenced items) and
 * the live layer on top (own strokes in progress, previews, the eraser), which also takes the
 * pointer input. Laser dots and the text input sit above them as elements.
 */
export class Stage {
  /** Takes the room the layout gives; the box is centred in it. */
  readonly el: HTMLDivElement;
  /** The 16:9 box: canvases, laser dots and the text input are positioned in it. */
  readonly box: HTMLDivElement;
  readonly finished: HTMLCanvasElement;
  /** The live layer, which is also the drawing surface. */
  readonly live: HTMLCanvasElement;
  /** Device pixels per board unit. */
  #scale = 0;
  readonly #observer: ResizeObserver;

  /** @param onResize called after the canvases were resized (they are blank then) */
  constructor(readonly onResize: () => void) {
    this.finished = h('canvas', { class: 'board-layer', 'aria-hidden': 'true' });
    this.live = h('canvas', {
      class: 'board-layer board-surface',
      'data-testid': 'board-surface',
      role: 'img',
    });
    this.box = h('div', { class: 'board-box' }, this.finished, this.live);
    this.el = h('div', { class: 'board-stage' }, this.box);
    this.#observer = new ResizeObserver(() => this.#fit());
    this.#observer.observe(this.el);
  }

  /** Device pixels per board unit (0 until laid out). */
  get scale(): number {
    return this.#scale;
  }

  /** A context of `canvas` drawing in board units. */
  context(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
    const ctx = canvas.getContext('2d');
    ctx?.setTransform(this.#scale, 0, 0, this.#scale, 0, 0);
    return ctx;
  }

  /** Clears a layer. */
  clear(canvas: HTMLCanvasElement): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
  }

  destroy(): void {
    this.#observer.disconnect();
  }

  #fit(): void {
    const { width, height } = fitBoard(this.el.clientWidth, this.el.clientHeight);
    this.box.style.width = `${width}px`;
    this.box.style.height = `${height}px`;
    const dpr = window.devicePixelRatio || 1;
    const backingWidth = Math.min(MAX_BACKING_WIDTH, Math.round(width * dpr));
    const backingHeight = Math.round((backingWidth * height) / Math.max(1, width));
    if (backingWidth === this.finished.width && backingHeight === this.finished.height) return;
    for (const canvas of [this.finished, this.live]) {
      canvas.width = backingWidth;
      canvas.height = backingHeight;
    }
    this.#scale = backingWidth / BOARD_WIDTH;
    this.onResize();
  }
}
