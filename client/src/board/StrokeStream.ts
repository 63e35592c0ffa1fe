import type { BoardChange } from '../../../server/contract/board.ts';
import { MAX_STROKE_COORDS } from './constants.ts';

type Draw = Extract<BoardChange, { t: 'draw' }>;

export interface StrokeStreamOptions {
  /** Asks the server for a change; rejects with the refusal. */
  send(change: BoardChange): Promise<void>;
  /** The server refused a change of this stroke: it has stopped (called once). */
  onRefused(message: string): void;
  /** Least time between two `extend`s, in ms. @default 30 */
  interval?: number;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
}

/**
 * Streams one freehand stroke to the server while it is drawn: `draw` with the first point,
 * then the new points batched into an `extend` at most every `interval` ms, then `finish`.
 * One change is in flight at a time and the rest wait in order, so a refused `draw` is never
 * followed by `extend`s the server would refuse too.
 */
export class StrokeStream {
  readonly id: string;
  /** Settles once the stroke is finished on the server (true) or has stopped on a refusal (false). */
  readonly settled: Promise<boolean>;
  #coords: number;
  #pending: number[] = [];
  #inFlight = false;
  #ended = false;
  #finishSent = false;
  #failed = false;
  #lastSent = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #settle: (ok: boolean) => void = () => undefined;
  readonly #options: Required<StrokeStreamOptions>;

  constructor(draw: Draw, options: StrokeStreamOptions) {
    this.id = draw.id;
    this.#coords = draw.points.length;
    this.#options = { interval: 30, now: Date.now, ...options };
    this.settled = new Promise((resolve) => (this.#settle = resolve));
    this.#dispatch(draw);
  }

  /** Coordinates the stroke can still take before it reaches the contract's limit. */
  get room(): number {
    return MAX_STROKE_COORDS - this.#coords;
  }

  /** Whether the stream has stopped on a refusal. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Queues more x, y, pressure triples (beyond {@link room} they are dropped). */
  add(triples: readonly number[]): void {
    if (this.#failed || this.#ended) return;
    const take = Math.min(triples.length - (triples.length % 3), Math.max(0, this.room));
    for (let i = 0; i < take; i++) this.#pending.push(triples[i] ?? 0);
    this.#coords += take;
    this.#pump();
  }

  /** The pointer is up: sends what is queued, then `finish`. */
  end(): void {
    this.#ended = true;
    this.#pump();
  }

  #pump(): void {
    if (this.#inFlight || this.#failed || this.#timer) return;
    if (this.#pending.length) {
      const wait = this.#lastSent + this.#options.interval - this.#options.now();
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#pump();
        }, wait);
        return;
      }
      const points = this.#pending;
      this.#pending = [];
      this.#dispatch({ t: 'extend', id: this.id, points });
    } else if (this.#ended && !this.#finishSent) {
      this.#finishSent = true;
      this.#dispatch({ t: 'finish', id: this.id });
    }
  }

  #dispatch(change: BoardChange): void {
    this.#inFlight = true;
    this.#lastSent = this.#options.now();
    this.#options.send(change).then(
      () => {
        this.#inFlight = false;
        if (change.t === 'finish') this.#settle(true);
        else this.#pump();
      },
      (error: unknown) => {
        this.#inFlight = false;
        this.#failed = true;
        this.#pending = [];
        this.#options.onRefused(error instanceof Error ? error.message : String(error));
        // A stroke the server has begun must not stay open for ever: close it if we can.
        if (change.t === 'extend') this.#options.send({ t: 'finish', id: this.id }).catch(() => undefined);
        this.#settle(false);
      },
    );
  }
}
