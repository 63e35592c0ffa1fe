/**
 * Counts, per lesson, this process's sockets that use it outside its media room (an open
 * board), and calls `onIdle` once none has been left for `graceMs`: the process can then
 * give the lesson up. A teacher who opens the board of a lesson that is only scheduled makes
 * this process its host; without this, the host would keep the lesson's lease (and its board
 * in memory) until the lesson ends, which for a lesson never taught is never.
 *
 * The grace keeps a page that reloads, or a socket that reconnects, from handing the lesson
 * back and forth.
 */
export class IdleLessons {
  readonly #graceMs: number;
  readonly #onIdle: (lessonId: string) => void;
  readonly #users = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(graceMs: number, onIdle: (lessonId: string) => void) {
    this.#graceMs = graceMs;
    this.#onIdle = onIdle;
  }

  /** One more socket here uses the lesson. */
  enter(lessonId: string): void {
    this.#users.set(lessonId, (this.#users.get(lessonId) ?? 0) + 1);
    clearTimeout(this.#timers.get(lessonId));
    this.#timers.delete(lessonId);
  }

  /** A socket here no longer uses the lesson. */
  leave(lessonId: string): void {
    const left = (this.#users.get(lessonId) ?? 0) - 1;
    if (left > 0) {
      this.#users.set(lessonId, left);
      return;
    }
    this.#users.delete(lessonId);
    clearTimeout(this.#timers.get(lessonId));
    const timer = setTimeout(() => {
      this.#timers.delete(lessonId);
      if (!this.inUse(lessonId)) this.#onIdle(lessonId);
    }, this.#graceMs);
    timer.unref();
    this.#timers.set(lessonId, timer);
  }

  inUse(lessonId: string): boolean {
    return this.#users.has(lessonId);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
