import { DEFAULT_PRESSURE, toBoard } from './geometry.ts';
import type { Gesture, InputPoint } from './gestures.ts';

/** Starts a gesture for a pointer going down (null: ignore this pointer). */
export type GestureStarter = (first: InputPoint, event: PointerEvent) => Gesture | null;

/**
 * Pointer input on the drawing surface, for fingers, pens and mice alike: one gesture at a
 * time, the pointer captured so that it may leave the surface, every coalesced sample used
 * (a pen on a 240 Hz digitizer sends several per frame), positions in board units. A pen
 * coming down while a finger draws takes over (the finger is likely the palm).
 */
export class SurfaceInput {
  #active: { pointerId: number; type: string; gesture: Gesture; rect: DOMRect } | null = null;
  readonly #abort = new AbortController();

  constructor(
    readonly surface: HTMLElement,
    readonly start: GestureStarter,
  ) {
    const options = { signal: this.#abort.signal };
    surface.addEventListener('pointerdown', (e) => this.#down(e), options);
    surface.addEventListener('pointermove', (e) => this.#move(e), options);
    surface.addEventListener('pointerup', (e) => this.#up(e, false), options);
    surface.addEventListener('pointercancel', (e) => this.#up(e, true), options);
    surface.addEventListener('lostpointercapture', (e) => this.#up(e, true), options);
    // A long press on a touch screen must not open a menu over the board.
    surface.addEventListener('contextmenu', (e) => e.preventDefault(), options);
  }

  /** Ends the gesture in progress, if any (the page turned, the pen was taken away). */
  cancel(): void {
    const active = this.#active;
    this.#active = null;
    active?.gesture.end(true);
  }

  destroy(): void {
    this.cancel();
    this.#abort.abort();
  }

  #down(e: PointerEvent): void {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    if (this.#active) {
      if (!(e.pointerType === 'pen' && this.#active.type === 'touch')) return;
      this.cancel();
    }
    e.preventDefault();
    const rect = this.surface.getBoundingClientRect();
    const gesture = this.start(sample(e, rect), e);
    if (!gesture) return;
    this.#active = { pointerId: e.pointerId, type: e.pointerType, gesture, rect };
    try {
      this.surface.setPointerCapture(e.pointerId);
    } catch {
      // The pointer is already gone (a very quick tap): the up event still comes.
    }
  }

  #move(e: PointerEvent): void {
    const active = this.#active;
    if (!active || e.pointerId !== active.pointerId) return;
    const events = e.getCoalescedEvents?.() ?? [];
    const list = events.length ? events : [e];
    active.gesture.move(list.map((ev) => sample(ev, active.rect)));
  }

  #up(e: PointerEvent, cancelled: boolean): void {
    const active = this.#active;
    if (!active || e.pointerId !== active.pointerId) return;
    this.#active = null;
    active.gesture.end(cancelled);
  }
}

/** A pointer sample in board units; only a pen has a pressure of its own. */
function sample(e: PointerEvent, rect: DOMRect): InputPoint {
  const { x, y } = toBoard(e.clientX, e.clientY, rect);
  const pressure = e.pointerType === 'pen' && e.pressure > 0 ? e.pressure : DEFAULT_PRESSURE;
  return { x, y, pressure };
}
