import type { ApiErrorBody, LessonSummary } from '../../../server/contract/api.ts';
import { applyOp } from '../../../server/contract/board.ts';
import type {
  BoardAuthor,
  BoardChange,
  BoardOp,
  BoardState,
  BoardSync,
} from '../../../server/contract/board.ts';
import type { ServerToClientEvents } from '../../../server/contract/events.ts';
import { ApiError, send } from '../api.ts';
import { Emitter } from '../emitter.ts';
import { hostedElsewhere, request, routeTo } from '../signaling.ts';
import type { SignalingSocket } from '../signaling.ts';
import { BoardView } from './BoardView.ts';

/**
 * One participant's side of a lesson's board: opens it, folds the server's sequenced
 * changes into the state in order, and drives the view. Changes that arrive while the board
 * is opening are kept and applied after the state; a gap in the sequence (a lost message)
 * or a reconnect reopens the board from the last sequence number held, so the screen always
 * ends equal to the server's board.
 */
export class BoardSession extends Emitter<{ pen: [string | null] }> {
  readonly view: BoardView;
  readonly #socket: SignalingSocket;
  readonly lessonId: string;
  readonly #me: BoardAuthor;
  #state: BoardState | null = null;
  #opening: Promise<void> | null = null;
  /** Ops that arrived while opening. */
  readonly #early: BoardOp[] = [];
  readonly #off: (() => void)[] = [];
  #closed = false;

  readonly #request: (since: number | null) => Promise<BoardSync>;

  /**
   * `openWith` asks for the board (default: `board:open` as `me`); a watcher (巡课) reads it
   * with `watch:board` instead and never holds the pen.
   */
  constructor(
    socket: SignalingSocket,
    lesson: LessonSummary,
    me: BoardAuthor,
    openWith?: (since: number | null) => Promise<BoardSync>,
  ) {
    super();
    this.#request = openWith ?? ((since) => request(socket, 'board:open', { lessonId: lesson.id, since }));
    this.#socket = socket;
    this.lessonId = lesson.id;
    this.#me = me;
    this.view = new BoardView({
      me,
      send: (change) => this.change(change),
      sendLaser: (point) => {
        void request(socket, 'board:laser', { lessonId: lesson.id, point }).catch(() => undefined);
      },
      uploadAsset: (image, size) => this.#upload(image, size),
      assetUrl: (assetId) => `/api/lessons/${lesson.id}/board/assets/${assetId}`,
    });
    const on = <E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): void => {
      socket.on(event, handler as never);
      this.#off.push(() => socket.off(event, handler as never));
    };
    on('board:ops', ({ lessonId, ops }) => {
      if (lessonId === this.lessonId) this.#receive(ops);
    });
    on('board:laser', ({ lessonId, by, point }) => {
      if (lessonId === this.lessonId) this.view.laser(by, point);
    });
    const onConnect = (): void => void this.open();
    socket.on('connect', onConnect);
    this.#off.push(() => socket.off('connect', onConnect));
  }

  /** Asks the server for a change; resolves once it is sequenced (and broadcast). */
  async change(change: BoardChange): Promise<void> {
    await request(this.#socket, 'board:change', { lessonId: this.lessonId, change });
  }

  /** The classroom holding the pen, or null. */
  get penHolder(): string | null {
    return this.#state?.penHolder ?? null;
  }

  /** The sequence number of the board shown. */
  get seq(): number {
    return this.#state?.seq ?? 0;
  }

  /** Opens (or reopens) the board; concurrent calls share one request. */
  open(): Promise<void> {
    if (this.#closed || !this.#socket.connected) return Promise.resolve();
    this.#opening ??= routeTo(this.#socket, this.lessonId)
      .then(() => this.#request(this.#state?.seq ?? null))
      .then((sync) => this.#load(sync))
      // Opening again follows the next reconnect, or a moment when another process still hosts
      // the lesson; any other refusal (the lesson ended) is final.
      .catch((error: unknown) => {
        if (hostedElsewhere(error)) window.setTimeout(() => void this.open(), 1000);
        else reportError(error);
      })
      .finally(() => (this.#opening = null));
    return this.#opening;
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#off.splice(0)) off();
    this.view.destroy();
  }

  #load(sync: BoardSync): void {
    if (sync.kind === 'state') {
      this.#state = sync.state;
      this.view.setState(sync.state);
      this.#editable();
    } else this.#apply(sync.ops);
    const early = this.#early.splice(0);
    if (early.length) this.#apply(early);
  }

  #receive(ops: BoardOp[]): void {
    if (!this.#state || this.#opening) {
      this.#early.push(...ops);
      return;
    }
    this.#apply(ops);
  }

  #apply(ops: readonly BoardOp[]): void {
    const state = this.#state;
    if (!state) return;
    const touched = new Set<string>();
    let structural = false;
    for (const op of ops) {
      if (op.seq <= state.seq) continue; // already in the state (opened after it was sent)
      if (op.seq !== state.seq + 1) {
        // A gap: fetch what is missing from the last change held.
        void this.open();
        break;
      }
      for (const id of applyOp(state, op)) touched.add(id);
      const t = op.change.t;
      if (t === 'page' || t === 'pen' || t === 'addPages') structural = true;
    }
    this.view.applied(state, [...touched], structural);
    if (structural) this.#editable();
  }

  #editable(): void {
    const state = this.#state;
    if (!state) return;
    this.view.setEditable(this.#me.role === 'teacher' || state.penHolder === this.#me.refId);
    this.emit('pen', state.penHolder);
  }

  async #upload(image: Blob, size: { width: number; height: number }): Promise<string> {
    const res = await send(
      `/api/lessons/${this.lessonId}/board/assets?width=${size.width}&height=${size.height}`,
      { method: 'POST', headers: { 'content-type': image.type || 'application/octet-stream' }, body: image },
    );
    const body = (await res.json().catch(() => ({}))) as { assetId?: string } & Partial<ApiErrorBody>;
    if (!res.ok || !body.assetId) throw new ApiError(res.status, body, res.statusText);
    return body.assetId;
  }
}
