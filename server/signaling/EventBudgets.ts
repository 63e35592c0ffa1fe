import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../errors.ts';

export interface EventBudgetOptions {
  /** Board messages (strokes as they are drawn, laser moves) per socket per second. @default 200 */
  boardPerSecond?: number;
  /** Every other message per socket per 10 seconds. @default 150 */
  othersPer10s?: number;
}

/** The lesson socket's board events (the default of {@link EventBudgets}' `boardEvents`). */
const LESSON_BOARD_EVENTS: ReadonlySet<string> = new Set(['board:change', 'board:laser']);

/**
 * How many messages one socket may send. A stroke streams as it is drawn (a message per
 * frame, ~60 a second) and the laser follows the pen, so the board has its own budget; the
 * rest (joining, transports, consumers, hands) is a few dozen messages when a lesson starts.
 * A socket over budget gets TooManyRequestsError acknowledgements and stays connected.
 */
export class EventBudgets {
  readonly #board: RateLimiterMemory;
  readonly #others: RateLimiterMemory;
  readonly #boardEvents: ReadonlySet<string>;

  /**
   * @param boardEvents the events spent from the board's budget: the socket's strokes and
   *   laser moves (the research socket names its own). @default the lesson socket's
   */
  constructor(options: EventBudgetOptions = {}, boardEvents: ReadonlySet<string> = LESSON_BOARD_EVENTS) {
    this.#boardEvents = boardEvents;
    this.#board = new RateLimiterMemory({
      keyPrefix: 'sock-board',
      points: options.boardPerSecond ?? 200,
      duration: 1,
    });
    this.#others = new RateLimiterMemory({
      keyPrefix: 'sock',
      points: options.othersPer10s ?? 150,
      duration: 10,
    });
  }

  /** @throws TooManyRequestsError when the socket has used up the budget of this event's kind */
  async spend(socketId: string, event: string): Promise<void> {
    const board = this.#boardEvents.has(event);
    try {
      await (board ? this.#board : this.#others).consume(socketId);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new TooManyRequestsError(
        `too many ${board ? 'board' : 'signaling'} messages: slow down`,
        Math.ceil(error.msBeforeNext / 1000),
      );
    }
  }
}
