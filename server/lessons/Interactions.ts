import type { RoomRegistry } from '../../sfu/index.ts';
import { TypedEmitter } from '../../sfu/index.ts';
import type { Interaction } from '../contract/board.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';

export interface InteractionEvents extends Record<string, unknown[]> {
  change: [lessonId: string, interaction: Interaction];
}

const none = (): Interaction => ({ hands: [], floor: null, spotlight: null, muted: [] });

/**
 * Raised hands, the floor, the spotlight and muted microphones of live lessons. Kept in
 * memory beside the lesson's media room (they last as long as the lesson is live); the floor
 * and mutes are carried out by the room, the rest is shown by the pages.
 */
export class Interactions extends TypedEmitter<InteractionEvents> {
  readonly #rooms: RoomRegistry;
  readonly #now: () => number;
  readonly #lessons = new Map<string, Interaction>();

  constructor(rooms: RoomRegistry, now: () => number = Date.now) {
    super();
    this.#rooms = rooms;
    this.#now = now;
  }

  get(lessonId: string): Interaction {
    return structuredClone(this.#lessons.get(lessonId) ?? none());
  }

  /** A classroom raises or lowers its hand (lowering an unraised hand changes nothing). */
  setHand(lessonId: string, classroomId: string, raised: boolean): Interaction {
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
  setFloor(lessonId: string, classroomId: string | null): Interaction {
    this.#room(lessonId).setFloor(classroomId);
    return this.#update(lessonId, (s) => {
      s.floor = classroomId;
      s.hands = s.hands.filter((h) => h.classroomId !== classroomId);
    });
  }

  setSpotlight(lessonId: string, classroomId: string | null): Interaction {
    return this.#update(lessonId, (s) => void (s.spotlight = classroomId));
  }

  async setMuted(lessonId: string, classroomId: string, muted: boolean): Promise<Interaction> {
    await this.#room(lessonId).setMuted(classroomId, muted);
    return this.#update(lessonId, (s) => {
      s.muted = s.muted.filter((id) => id !== classroomId);
      if (muted) s.muted.push(classroomId);
    });
  }

  /** Forgets an ended lesson. */
  drop(lessonId: string): void {
    this.#lessons.delete(lessonId);
  }

  #room(lessonId: string) {
    const room = this.#rooms.get(lessonId);
    if (!room || room.closed) throw new InvalidStateError('the lesson has no live media; start it first');
    return room;
  }

  #update(lessonId: string, change: (state: Interaction) => void): Interaction {
    if (!lessonId) throw new NotFoundError('lesson not found');
    const state = this.#lessons.get(lessonId) ?? none();
    change(state);
    this.#lessons.set(lessonId, state);
    const copy = structuredClone(state);
    this.safeEmit('change', lessonId, copy);
    return copy;
  }
}
