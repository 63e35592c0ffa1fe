import type { types } from 'mediasoup';
import { LessonRoom } from './LessonRoom.ts';
import { LESSON_MEDIA_CODECS } from './media.ts';
import type { LessonRoomOptions, RoomStats } from './LessonRoom.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import type { WorkerPool } from './WorkerPool.ts';

export interface RoomRegistryEvents extends Record<string, unknown[]> {
  newroom: [LessonRoom];
}

/**
 * The live lesson rooms of this process, by lesson id. Creation is serialized per lesson:
 * two concurrent `getOrCreate` calls for one lesson get the same room.
 */
export class RoomRegistry extends TypedEmitter<RoomRegistryEvents> {
  readonly #pool: WorkerPool;
  readonly #defaults: Omit<LessonRoomOptions, 'lessonId'>;
  readonly #rooms = new Map<string, LessonRoom>();
  readonly #creating = new Map<string, Promise<LessonRoom>>();
  #capabilities: Promise<types.RtpCapabilities> | undefined;

  constructor(pool: WorkerPool, defaults: Omit<LessonRoomOptions, 'lessonId'> = {}) {
    super();
    this.#pool = pool;
    this.#defaults = defaults;
  }

  /**
   * The RTP capabilities of every lesson's router (one codec list for all, so the same on every
   * process), without opening a lesson's room: a process that does not host the lesson answers too.
   */
  routerCapabilities(): Promise<types.RtpCapabilities> {
    this.#capabilities ??= this.#pool.createRouter({ mediaCodecs: LESSON_MEDIA_CODECS }).then(
      (router) => {
        const capabilities = router.rtpCapabilities;
        router.close();
        return capabilities;
      },
      (error: unknown) => {
        this.#capabilities = undefined;
        throw error;
      },
    );
    return this.#capabilities;
  }

  get(lessonId: string): LessonRoom | undefined {
    return this.#rooms.get(lessonId);
  }

  async getOrCreate(lessonId: string): Promise<LessonRoom> {
    const existing = this.#rooms.get(lessonId);
    if (existing) return existing;
    const pending = this.#creating.get(lessonId);
    if (pending) return pending;
    const creation = LessonRoom.create(this.#pool, { ...this.#defaults, lessonId })
      .then((room) => {
        this.#rooms.set(lessonId, room);
        room.on('close', () => {
          if (this.#rooms.get(lessonId) === room) this.#rooms.delete(lessonId);
        });
        this.safeEmit('newroom', room);
        return room;
      })
      .finally(() => this.#creating.delete(lessonId));
    this.#creating.set(lessonId, creation);
    return creation;
  }

  /** Closes the room of a lesson, if any, with `reason`. */
  close(lessonId: string, reason: string): void {
    this.#rooms.get(lessonId)?.close(reason);
  }

  stats(): RoomStats[] {
    return [...this.#rooms.values()].map((r) => r.stats());
  }

  closeAll(reason = 'closed'): void {
    for (const room of [...this.#rooms.values()]) room.close(reason);
  }
}
