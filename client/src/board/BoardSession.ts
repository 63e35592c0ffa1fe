import type { ApiErrorBody, LessonSummary } from '../../../server/contract/api.ts';
import { applyOp } from '../../../server/contract/board.ts';
import type {
  BoardAuthor,
  BoardChange,
  BoardOp,
  BoardState,
  BoardSync,
  LaserPoint,
} from '../../../server/contract/board.ts';
import type { ServerToClientEvents } from '../../../server/contract/events.ts';
import { ApiError, send } from '../api.ts';
import { Emitter } from '../emitter.ts';
import { hostedElsewhere, request, routeTo } from '../signaling.ts';
import type { SignalingSocket } from '../signaling.ts';
import { BoardView } from './BoardView.ts';

/**
 * How a board session reaches its board: a lesson's over the signaling socket
 * ({@link lessonBoardLink}), or a research session's over its own socket (the same board,
 * keyed by the session's id).
 */
export interface BoardLink {
  /** The board's id: a lesson's or a research session's. */
  readonly id: string;
  connected(): boolean;
  /** Waits until the socket reaches the process hosting the board (a lesson's); else at once. */
  route(): Promise<void>;
  /** The board's state, or the changes after `since`. */
  open(since: number | null): Promise<BoardSync>;
  /** Resolves once the change is sequenced (and broadcast). */
  change(change: BoardChange): Promise<void>;
  laser(point: LaserPoint): void;
  /** Subscribes to the board's changes, laser and reconnects; returns the unsubscribe. */
  listen(on: {
    ops: (ops: BoardOp[]) => void;
    laser: (by: BoardAuthor, point: LaserPoint) => void;
    connect: () => void;
  }): () => void;
  /** Whether a refusal to open is worth another try in a second (another process hosts it). */
  retryable(error: unknown): boolean;
}

/** A lesson's board over the signaling socket; `openWith` replaces `board:open` (a watcher's `watch:board`). */
export function lessonBoardLink(
  socket: SignalingSocket,
  lesson: Pick<LessonSummary, 'id'>,
  openWith?: (since: number | null) => Promise<BoardSync>,
): BoardLink {
  const lessonId = lesson.id;
  return {
    id: lessonId,
    connected: () => socket.connected,
    route: () => routeTo(socket, lessonId),
    open: openWith ?? ((since) => request(socket, 'board:open', { lessonId, since })),
    change: async (change) => void (await request(socket, 'board:change', { lessonId, change })),
    laser: (point) => void request(socket, 'board:laser', { lessonId, point }).catch(() => undefined),
    listen(on) {
      const ops: ServerToClientEvents['board:ops'] = (p) => p.lessonId === lessonId && on.ops(p.ops);
      const laser: ServerToClientEvents['board:laser'] = (p) =>
        p.lessonId === lessonId && on.laser(p.by, p.point);
      socket.on('board:ops', ops);
      socket.on('board:laser', laser);
      socket.on('connect', on.connect);
      return () => {
        socket.off('board:ops', ops);
        socket.off('board:laser', laser);
        socket.off('connect', on.connect);
      };
    },
    retryable: hostedElsewhere,
  };
}

/**
 * One participant's side of a lesson's board: opens it, folds the server's sequenced
 * changes into the state in order, and drives the view. Changes that arrive while the board
 * is opening are kept and applied after the state; a gap in the sequence (a lost message)
 * or a reconnect reopens the board from the last sequence number held, so the screen always
 * ends equal to the server's board.
 */
export class BoardSession extends Emitter<{ pen: [string | null] }> {
  readonly view: BoardView;
  readonly #link: BoardLink;
  /** The board's id (a lesson's, or a research session's). */
  readonly lessonId: string;
  readonly #me: BoardAuthor;
  #state: BoardState | null = null;
  #opening: Promise<void> | null = null;
  /** Ops that arrived while opening. */
  readonly #early: BoardOp[] = [];
  readonly #off: (() => void)[] = [];
  #closed = false;

  /** A board reached through `link` (a research session's), written on as `me`. */
  constructor(link: BoardLink, me: BoardAuthor);
  /**
   * A lesson's board over the signaling socket. `openWith` asks for the board (default:
   * `board:open` as `me`); a watcher (巡课) reads it with `watch:board` instead and never
   * holds the pen.
   */
  constructor(
    socket: SignalingSocket,
    lesson: LessonSummary,
    me: BoardAuthor,
    openWith?: (since: number | null) => Promise<BoardSync>,
  );
  constructor(
    socketOrLink: SignalingSocket | BoardLink,
    lessonOrMe: LessonSummary | BoardAuthor,
    me?: BoardAuthor,
    openWith?: (since: number | null) => Promise<BoardSync>,
  ) {
    super();
    const link =
      'emit' in socketOrLink
        ? lessonBoardLink(socketOrLink, lessonOrMe as LessonSummary, openWith)
        : socketOrLink;
    const author = me ?? (lessonOrMe as BoardAuthor);
    this.#link = link;
    this.lessonId = link.id;
    this.#me = author;
    this.view = new BoardView({
      me: author,
      send: (change) => this.change(change),
      sendLaser: (point) => link.laser(point),
      uploadAsset: (image, size) => this.#upload(image, size),
      // The board routes take a lesson's or a research session's id.
      assetUrl: (assetId) => `/api/lessons/${link.id}/board/assets/${assetId}`,
    });
    this.#off.push(
      link.listen({
        ops: (ops) => this.#receive(ops),
        laser: (by, point) => this.view.laser(by, point),
        connect: () => void this.open(),
      }),
    );
  }

  /** Asks the server for a change; resolves once it is sequenced (and broadcast). */
  async change(change: BoardChange): Promise<void> {
    await this.#link.change(change);
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
    if (this.#closed || !this.#link.connected()) return Promise.resolve();
    this.#opening ??= this.#link
      .route()
      .then(() => this.#link.open(this.#state?.seq ?? null))
      .then((sync) => this.#load(sync))
      // Opening again follows the next reconnect, or a moment when another process still hosts
      // the lesson; any other refusal (the lesson ended) is final.
      .catch((error: unknown) => {
        if (this.#link.retryable(error)) window.setTimeout(() => void this.open(), 1000);
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
