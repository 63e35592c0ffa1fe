import type { types } from 'mediasoup';
import { BroadcastRoom } from './BroadcastRoom.ts';
import { LessonRoom } from './LessonRoom.ts';
import { LESSON_MEDIA_CODECS } from './media.ts';
import type { MediaRoom, RoomDefaults, RoomPlacement } from './MediaRoom.ts';
import type { RoomStats } from './LessonRoom.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import type { WorkerPool } from './WorkerPool.ts';

/** The key of a broadcast's `n`th further room (the first room's key is the lesson's id). */
export function edgeRoomKey(lessonId: string, n: number): string {
  return `${lessonId}~${n}`;
}

/** The lesson a room key belongs to (the key itself for a lesson's first room). */
export function lessonOfRoom(key: string): string {
  return key.split('~')[0] ?? key;
}

export interface RoomRegistryEvents extends Record<string, unknown[]> {
  newroom: [MediaRoom];
}

/** Rooms on this process's own workers (one box, or a media node itself). */
export class LocalPlacement implements RoomPlacement {
  readonly #pool: WorkerPool;
  readonly #defaults: RoomDefaults;
  readonly waits = true;
  #capabilities: Promise<types.RtpCapabilities> | undefined;

  constructor(pool: WorkerPool, defaults: RoomDefaults = {}) {
    this.#pool = pool;
    this.#defaults = defaults;
  }

  open(lessonId: string): Promise<LessonRoom> {
    return LessonRoom.create(this.#pool, { ...this.#defaults, lessonId });
  }

  capabilities(): Promise<types.RtpCapabilities> {
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
}

/**
 * The live lesson rooms this process drives, by lesson id, wherever their routers are (see
 * `RoomPlacement`). Creation is serialized per lesson: two concurrent `getOrCreate` calls for
 * one lesson get the same room.
 */
export class RoomRegistry extends TypedEmitter<RoomRegistryEvents> {
  readonly #placement: RoomPlacement;
  readonly #classroomsPerRoom: number;
  readonly #rooms = new Map<string, MediaRoom>();
  readonly #creating = new Map<string, Promise<MediaRoom>>();

  /**
   * @param classroomsPerRoom a lesson with more classrooms is a broadcast spread over several
   *   rooms (`BroadcastRoom`), each with at most this many. @default 50
   */
  constructor(placement: RoomPlacement, { classroomsPerRoom = 50 }: { classroomsPerRoom?: number } = {}) {
    super();
    this.#placement = placement;
    this.#classroomsPerRoom = classroomsPerRoom;
  }

  /**
   * The RTP capabilities of every lesson's router (one codec list for all, so the same on every
   * process), without opening a lesson's room: a process that does not host the lesson answers too.
   */
  routerCapabilities(): Promise<types.RtpCapabilities> {
    return this.#placement.capabilities();
  }

  /**
   * Whether a lesson of `classrooms` classrooms may be waited in before it goes live: its room
   * is one `LessonRoom` on this process's workers (a broadcast's rooms and media nodes' cannot).
   */
  canWait(classrooms: number): boolean {
    return this.#placement.waits && classrooms <= this.#classroomsPerRoom;
  }

  get(lessonId: string): MediaRoom | undefined {
    return this.#rooms.get(lessonId);
  }

  /**
   * The lesson's room, opened if need be; `classrooms`, the lesson's number of classrooms, makes
   * it a broadcast when one room would carry too many (its other rooms are `<lessonId>~<n>`).
   */
  async getOrCreate(lessonId: string, { classrooms = 0 }: { classrooms?: number } = {}): Promise<MediaRoom> {
    const existing = this.#rooms.get(lessonId);
    if (existing) return existing;
    const pending = this.#creating.get(lessonId);
    if (pending) return pending;
    const open = async (): Promise<MediaRoom> => {
      const origin = await this.#placement.open(lessonId);
      if (classrooms <= this.#classroomsPerRoom) return origin;
      return new BroadcastRoom({
        lessonId,
        origin,
        openEdge: (n) => this.#placement.open(edgeRoomKey(lessonId, n)),
        classroomsPerRoom: this.#classroomsPerRoom,
      });
    };
    const creation = open()
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
