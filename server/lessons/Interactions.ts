import type { MediaRoom, RoomRegistry } from '../../sfu/index.ts';
import { TypedEmitter } from '../../sfu/index.ts';
import type { Interaction } from '../contract/board.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import type { Models } from '../models/index.ts';

export interface InteractionEvents extends Record<string, unknown[]> {
  change: [lessonId: string, interaction: Interaction];
}

const none = (): Interaction => ({ hands: [], floor: null, spotlight: null, muted: [] });

/**
 * Raised hands, the floor, the spotlight and muted microphones of live lessons: the one place
 * they are decided. Each change is written to the database before it is answered, and every
 * media room of the lesson — the first, one rebuilt after its worker died, or one on the
 * process that hosts the lesson next — is given the floor and the mutes as it opens. The room
 * only carries them out (who receives whom, which microphones are paused).
 */
export class Interactions extends TypedEmitter<InteractionEvents> {
  readonly #rooms: RoomRegistry;
  readonly #models: Models;
  readonly #now: () => number;
  readonly #lessons = new Map<string, Interaction>();
  /** Per lesson, the last change still being written. */
  readonly #pending = new Map<string, Promise<void>>();

  constructor(rooms: RoomRegistry, models: Models, now: () => number = Date.now) {
    super();
    this.#rooms = rooms;
    this.#models = models;
    this.#now = now;
    rooms.on('newroom', (room) => this.#carryOut(room));
  }

  /**
   * A lesson's state, read from the database the first time this process hosts it. Call it
   * before the lesson's room opens, so that the room starts with the floor and the mutes.
   */
  async get(lessonId: string): Promise<Interaction> {
    let state = this.#lessons.get(lessonId);
    if (!state) {
      const saved = await this.#models.LessonInteraction.findOne({ lessonId }).lean();
      state = saved
        ? {
            hands: saved.hands.map((h) => ({ classroomId: String(h.classroomId), at: Number(h.at) })),
            floor: saved.floor ?? null,
            spotlight: saved.spotlight ?? null,
            muted: [...saved.muted],
          }
        : none();
      // Another call may have loaded it meanwhile: the first one loaded wins.
      state = this.#lessons.get(lessonId) ?? state;
      this.#lessons.set(lessonId, state);
    }
    return structuredClone(state);
  }

  /** A classroom raises or lowers its hand (lowering an unraised hand changes nothing). */
  setHand(lessonId: string, classroomId: string, raised: boolean): Promise<Interaction> {
    return this.#update(lessonId, (s) => {
      const at = s.hands.findIndex((h) => h.classroomId === classroomId);
      if (raised && at < 0) s.hands.push({ classroomId, at: this.#now() });
      if (!raised && at >= 0) s.hands.splice(at, 1);
    });
  }

  /**
   * Gives `classroomId` the floor (its hand goes down), or takes it back (null).
   * @throws InvalidStateError when the lesson's media is not running
   */
  async setFloor(lessonId: string, classroomId: string | null): Promise<Interaction> {
    this.#room(lessonId);
    const state = await this.#update(lessonId, (s) => {
      s.floor = classroomId;
      s.hands = s.hands.filter((h) => h.classroomId !== classroomId);
    });
    // A room rebuilt meanwhile was given the new state as it opened.
    const room = this.#rooms.get(lessonId);
    if (room && !room.closed) room.setFloor(classroomId);
    return state;
  }

  setSpotlight(lessonId: string, classroomId: string | null): Promise<Interaction> {
    return this.#update(lessonId, (s) => void (s.spotlight = classroomId));
  }

  /** @throws InvalidStateError when the lesson's media is not running */
  async setMuted(lessonId: string, classroomId: string, muted: boolean): Promise<Interaction> {
    this.#room(lessonId);
    const state = await this.#update(lessonId, (s) => {
      s.muted = s.muted.filter((id) => id !== classroomId);
      if (muted) s.muted.push(classroomId);
    });
    const room = this.#rooms.get(lessonId);
    if (room && !room.closed) await room.setMuted(classroomId, muted);
    return state;
  }

  /** Forgets a lesson this process no longer hosts (what was written stays). */
  forget(lessonId: string): void {
    this.#lessons.delete(lessonId);
  }

  /** Forgets an ended lesson, here and in the database. */
  async drop(lessonId: string): Promise<void> {
    this.#lessons.delete(lessonId);
    await this.#models.LessonInteraction.deleteOne({ lessonId });
  }

  /** Gives a room that opens the floor and the mutes its lesson already has. */
  #carryOut(room: MediaRoom): void {
    const state = this.#lessons.get(room.lessonId);
    if (!state) return;
    if (state.floor) room.setFloor(state.floor);
    // No producer exists yet: the room records the mutes and pauses each microphone as it comes.
    for (const classroomId of state.muted) void room.setMuted(classroomId, true);
  }

  #room(lessonId: string): MediaRoom {
    const room = this.#rooms.get(lessonId);
    if (!room || room.closed) throw new InvalidStateError('the lesson has no live media; start it first');
    return room;
  }

  /**
   * Applies `change` to a copy, writes it, then makes it the lesson's state and tells
   * listeners. Changes to one lesson run one after the other (two hands raised at once both stay).
   */
  #update(lessonId: string, change: (state: Interaction) => void): Promise<Interaction> {
    if (!lessonId) return Promise.reject(new NotFoundError('lesson not found'));
    const run = async (): Promise<Interaction> => {
      const next = await this.get(lessonId);
      change(next);
      await this.#models.LessonInteraction.updateOne(
        { lessonId },
        { $set: { hands: next.hands, floor: next.floor, spotlight: next.spotlight, muted: next.muted } },
        { upsert: true },
      );
      this.#lessons.set(lessonId, next);
      const copy = structuredClone(next);
      this.safeEmit('change', lessonId, copy);
      return copy;
    };
    const previous = this.#pending.get(lessonId) ?? Promise.resolve();
    const result = previous.then(run, run);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.set(lessonId, settled);
    void settled.then(() => {
      if (this.#pending.get(lessonId) === settled) this.#pending.delete(lessonId);
    });
    return result;
  }
}
