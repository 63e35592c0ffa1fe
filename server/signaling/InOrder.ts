/**
 * Runs each socket's checks of in-order events one after the other, so that they are handed on
 * in the order sent (a board stroke's changes: a check that waits for the database must not be
 * overtaken by the next); other events are checked at once.
 */
export class InOrderChecks<S extends object, E extends string> {
  /** Per socket: the checks of its last in-order event. */
  readonly #last = new WeakMap<S, Promise<void>>();

  readonly #inOrder: ReadonlySet<E>;

  constructor(inOrder: ReadonlySet<E>) {
    this.#inOrder = inOrder;
  }

  run(socket: S, event: E, checks: () => Promise<void>): Promise<void> {
    if (!this.#inOrder.has(event)) return checks();
    const checked = (this.#last.get(socket) ?? Promise.resolve()).then(checks);
    this.#last.set(
      socket,
      checked.catch(() => undefined),
    );
    return checked;
  }
}
