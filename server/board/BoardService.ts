import mongoose from 'mongoose';
import { TypedEmitter } from '../../sfu/index.ts';
import { applyOp, foldOps, refusal } from '../contract/board.ts';
import type { BoardAuthor, BoardChange, BoardOp, BoardState, BoardSync } from '../contract/board.ts';
import { ForbiddenError, InvalidStateError, NotFoundError, ArgumentError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';

export interface BoardServiceEvents extends Record<string, unknown[]> {
  /** Changes persisted, in sequence order: broadcast them. */
  ops: [lessonId: string, ops: BoardOp[]];
}

/** Tries of one chunk write before the board gives up the changes in it. */
const WRITE_TRIES = 3;

interface Pending {
  op: BoardOp;
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

/** One lesson's board in memory. */
interface LiveBoard {
  lessonId: string;
  /** Everything accepted (persisted or not): what the next change is checked against. */
  accepted: BoardState;
  /** Everything persisted and broadcast: what a participant opening the board gets. */
  persisted: BoardState;
  /** The persisted ops in order (for `since` and replay). */
  ops: BoardOp[];
  /** Accepted, not yet persisted. */
  queue: Pending[];
  writing: boolean;
  closed: boolean;
  /** This process stops serving the board: it leaves memory once written. */
  unloading: boolean;
}

/**
 * The lesson boards: checks each change against the board (who holds the pen, whose stroke
 * it is), gives it the next sequence number, persists it and only then broadcasts it.
 *
 * Writes are group-committed: the changes accepted while one chunk is being written go in
 * the next chunk, so a stroke streaming 30 points a second costs one write per round trip to
 * the database, not one per message, and nothing is broadcast that a restart could lose. A
 * write that fails after retries refuses the changes in it and every one accepted after it
 * (they may build on it), and the board falls back to what was persisted.
 *
 * One process serves a lesson's board (a lesson's sockets go to one process); a second
 * process writing the same board would collide on the chunk's unique (lesson, fromSeq) key
 * and have its changes refused rather than interleaved.
 */
export class BoardService extends TypedEmitter<BoardServiceEvents> {
  readonly #models: Models;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #boards = new Map<string, Promise<LiveBoard>>();
  /** Writes in flight, for `drain`. */
  readonly #inflight = new Set<Promise<void>>();

  constructor(models: Models, logger: Logger, now: () => number = Date.now) {
    super();
    this.#models = models;
    this.#log = logger.child({ module: 'board' });
    this.#now = now;
  }

  /** What a participant gets on opening: the ops after `since` when all are at hand, else the state. */
  async open(lessonId: string, since: number | null): Promise<BoardSync> {
    const board = await this.#board(lessonId);
    const seq = board.persisted.seq;
    if (since !== null && since >= 0 && since <= seq) return { kind: 'ops', ops: board.ops.slice(since) };
    return { kind: 'state', state: board.persisted };
  }

  /**
   * Checks, sequences and persists a change; resolves with its sequence number once it is
   * persisted and broadcast.
   * @throws ForbiddenError when `by` may not make it; TypeError when it does not fit the board
   */
  async change(lessonId: string, by: BoardAuthor, change: BoardChange): Promise<number> {
    const board = await this.#board(lessonId);
    if (board.closed) throw new InvalidStateError('the lesson has ended; its board is read-only');
    if (change.t === 'addPages') await this.#checkBackgrounds(lessonId, change.pages);
    // Checked against the board as accepted so far (after the lookup above, which may yield).
    const why = refusal(board.accepted, by, change);
    if (why) throw why.forbidden ? new ForbiddenError(why.message) : new ArgumentError(why.message);
    const op: BoardOp = { seq: board.accepted.seq + 1, at: this.#now(), by, change };
    applyOp(board.accepted, op);
    return new Promise<number>((resolve, reject) => {
      board.queue.push({ op, resolve, reject });
      const flush = this.#flush(board);
      this.#inflight.add(flush);
      void flush.finally(() => this.#inflight.delete(flush));
    });
  }

  /** Whether `by` may write on the board now (the teacher, or the classroom holding the pen). */
  async mayWrite(lessonId: string, by: BoardAuthor): Promise<boolean> {
    const board = await this.#board(lessonId);
    return !board.closed && (by.role === 'teacher' || board.accepted.penHolder === by.refId);
  }

  /** The persisted ops of a lesson's board, in order (for replay). */
  async history(lessonId: string): Promise<BoardOp[]> {
    const live = this.#boards.get(lessonId);
    if (live) return [...(await live).ops];
    return this.#load(lessonId);
  }

  /** Ends a lesson's board: later changes are refused; it leaves memory once written. */
  async close(lessonId: string): Promise<void> {
    const live = this.#boards.get(lessonId);
    if (!live) return;
    const board = await live.catch(() => null);
    if (!board) return;
    board.closed = true;
    if (!board.queue.length && !board.writing) this.#boards.delete(lessonId);
  }

  /**
   * This process stops serving the board for now (nobody here has it open and the lesson
   * is not live): it leaves memory once written, and a later open reads it again.
   */
  unload(lessonId: string): void {
    const live = this.#boards.get(lessonId);
    void live?.then(
      (board) => {
        board.unloading = true;
        if (!board.queue.length && !board.writing && this.#boards.get(lessonId) === live)
          this.#boards.delete(lessonId);
      },
      () => undefined,
    );
  }

  /** Waits until every accepted change is written (or refused): before the database closes. */
  async drain(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  #board(lessonId: string): Promise<LiveBoard> {
    let board = this.#boards.get(lessonId);
    if (!board) {
      board = this.#load(lessonId).then((ops) => ({
        lessonId,
        accepted: foldOps(ops),
        persisted: foldOps(ops),
        ops,
        queue: [],
        writing: false,
        closed: false,
        unloading: false,
      }));
      board.catch(() => this.#boards.delete(lessonId));
      this.#boards.set(lessonId, board);
    }
    return board;
  }

  async #load(lessonId: string): Promise<BoardOp[]> {
    if (!mongoose.isValidObjectId(lessonId)) throw new NotFoundError(`lesson ${lessonId} not found`);
    const chunks = await this.#models.BoardChunk.find({ lessonId }).sort({ fromSeq: 1 }).lean();
    const ops: BoardOp[] = [];
    for (const chunk of chunks) {
      if (chunk.fromSeq !== ops.length + 1) {
        this.#log.error(
          { lessonId, expected: ops.length + 1, got: chunk.fromSeq },
          'board chunks not contiguous',
        );
        break;
      }
      ops.push(...(JSON.parse(chunk.ops) as BoardOp[]));
    }
    return ops;
  }

  async #checkBackgrounds(lessonId: string, pages: readonly { background: string | null }[]): Promise<void> {
    const ids = [...new Set(pages.flatMap((p) => (p.background ? [p.background] : [])))];
    if (!ids.length) return;
    const found = await this.#models.BoardAsset.find({ _id: { $in: ids }, lessonId }, { _id: 1 }).lean();
    const known = new Set(found.map((a) => a._id.toString()));
    const missing = ids.find((id) => !known.has(id));
    if (missing) throw new ArgumentError(`courseware image ${missing} was not uploaded to this lesson`);
  }

  async #flush(board: LiveBoard): Promise<void> {
    if (board.writing) return;
    board.writing = true;
    try {
      while (board.queue.length) {
        const batch = board.queue.splice(0);
        const ops = batch.map((p) => p.op);
        try {
          await this.#write(board.lessonId, ops);
        } catch (error) {
          this.#log.error({ err: error, lessonId: board.lessonId }, 'board write failed; changes refused');
          const refused = [...batch, ...board.queue.splice(0)];
          board.accepted = foldOps(board.ops);
          for (const p of refused)
            p.reject(new InvalidStateError('the board could not be saved; the change was not kept'));
          continue;
        }
        for (const op of ops) applyOp(board.persisted, op);
        board.ops.push(...ops);
        this.safeEmit('ops', board.lessonId, ops);
        for (const p of batch) p.resolve(p.op.seq);
      }
    } finally {
      board.writing = false;
      if ((board.closed || board.unloading) && !board.queue.length) this.#boards.delete(board.lessonId);
    }
  }

  async #write(lessonId: string, ops: BoardOp[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#models.BoardChunk.create({
          lessonId,
          fromSeq: ops[0]!.seq,
          toSeq: ops.at(-1)!.seq,
          ops: JSON.stringify(ops),
        });
        return;
      } catch (error) {
        // A duplicate key means another writer has this sequence: retrying cannot help.
        if (attempt >= WRITE_TRIES || (error as { code?: number }).code === 11000) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
}
