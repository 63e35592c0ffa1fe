import type { types } from 'mediasoup';
import type { z } from 'zod';
import type { MediaRoom, ParticipantInfo, ProducerInfo, RoomRegistry } from '../../sfu/index.ts';
import type { Identity } from '../auth/tokens.ts';
import type { AckData } from '../contract/events.ts';
import type { WatchJoinResult, WatchMode } from '../contract/inspection.ts';
import type { SocketSchemas } from '../contract/schemas.ts';
import { ForbiddenError, InvalidStateError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { LessonLeases } from '../scale/LessonLeases.ts';
import type { BoardService } from '../board/BoardService.ts';
import type { InspectionService } from './InspectionService.ts';

/**
 * What one wall tile may cost its viewer, kbit/s: the receive budget of a tile's transport
 * (mediasoup caps what it sends, probing included, and picks the teacher camera's lowest
 * layer, at fewer frames a second if even that is more), so that 16 tiles stay within
 * 2 Mbit/s (the goal; bench:inspection measures it).
 */
export const TILE_KBPS = 120;

type WatchEvent =
  'watch:join' | 'watch:connect' | 'watch:consume' | 'watch:resume' | 'watch:leave' | 'watch:board';

/** What the signaling server lends a socket's watch handlers. */
export interface WatchHandlers {
  /** Registers a handler with the signaling server's validation, budgets and acknowledgement. */
  handle<E extends WatchEvent>(
    event: E,
    fn: (payload: z.infer<(typeof SocketSchemas)[E]>) => Promise<AckData<E>>,
  ): void;
}

/** How the watch module reaches a lesson's participants (set once by the signaling server). */
export interface WatchChannels {
  /** The socket.io room of a lesson's sockets. */
  lessonChannel(lessonId: string): string;
  /** The socket.io room of those who have a lesson's board open (its `board:ops`). */
  boardChannel(lessonId: string): string;
  /** Sends `lesson:inspection` to a socket.io room (a lesson's, or one socket's). */
  notify(to: string, payload: { lessonId: string; watched: boolean }): void;
}

/** The part of a socket the watch handlers use. */
export interface WatchSocket {
  readonly id: string;
  readonly data: { identity: Identity };
  /** True once the socket is gone: its disconnect handler has already run. */
  readonly disconnected: boolean;
  join(room: string): unknown;
  leave(room: string): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

export interface WatchOptions {
  inspection: InspectionService;
  rooms: Pick<RoomRegistry, 'get'>;
  /** Which process hosts each live lesson: a watcher is received where its media is. */
  leases: Pick<LessonLeases, 'claim'>;
  /** The lessons' boards, read by a watcher as they are (it writes nothing). */
  boards: Pick<BoardService, 'open'>;
  logger: Logger;
}

/** A lesson watched here: its watchers (socket ids), whether it shows 巡课中, and its room's listeners. */
interface Watched {
  room: MediaRoom;
  watchers: Set<string>;
  notice: boolean;
  onJoined: (peer: ParticipantInfo) => void;
  onClose: () => void;
}

/**
 * 巡课 on the socket: a watcher joins a live lesson's media as an `observer` peer (receive
 * only, unlisted, uncounted: see sfu/Peer.ts) with a receive transport and no send transport;
 * a wall tile receives the teacher's camera alone, under `TILE_KBPS`; an opened lesson
 * everything the teacher receives. Where the lesson's region shows it, its participants are
 * told 巡课中 while anyone watches (and a classroom that joins meanwhile, at its join).
 */
export class Watch {
  readonly #options: WatchOptions;
  readonly #log: Logger;
  readonly #watched = new Map<string, Watched>();
  #channels: WatchChannels | null = null;

  constructor(options: WatchOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'inspection' });
  }

  /** Called once by the signaling server. */
  bind(channels: WatchChannels): void {
    this.#channels = channels;
  }

  /** Lessons watched here now, with their number of watchers (for tests and metrics). */
  get watching(): Map<string, number> {
    return new Map([...this.#watched].map(([id, w]) => [id, w.watchers.size]));
  }

  /** Registers a socket's watch handlers. */
  attach(socket: WatchSocket, handlers: WatchHandlers): void {
    const { inspection, rooms, leases } = this.#options;
    const identity = socket.data.identity;
    /** Lessons this socket watches, and how. */
    const mine = new Map<string, WatchMode>();

    const roomOf = (lessonId: string): { room: MediaRoom; mode: WatchMode } => {
      const room = rooms.get(lessonId);
      const mode = mine.get(lessonId);
      if (!room || !mode || !room.hasPeer(socket.id)) throw new InvalidStateError('watch the lesson first');
      return { room, mode };
    };

    const leave = (lessonId: string): void => {
      if (!mine.delete(lessonId)) return;
      rooms.get(lessonId)?.removePeer(socket.id);
      void socket.leave(this.#channel(lessonId));
      void socket.leave(this.#boardChannel(lessonId));
      this.#exit(lessonId, socket.id);
    };

    handlers.handle('watch:join', async ({ lessonId, rtpCapabilities, mode }): Promise<WatchJoinResult> => {
      const lesson = await inspection.watchable(identity, lessonId);
      await leases.claim(lessonId);
      const room = rooms.get(lessonId);
      if (!room || room.closed) throw new InvalidStateError('no one has joined the lesson’s media yet');
      leave(lessonId);
      await room.addPeer(
        {
          peerId: socket.id,
          role: 'observer',
          refId: identity.userId,
          displayName: identity.displayName,
          ...(mode === 'tile' ? { downlinkKbps: TILE_KBPS } : {}),
        },
        rtpCapabilities as types.RtpCapabilities,
      );
      mine.set(lessonId, mode);
      try {
        const transport = await room.createTransport(socket.id, 'recv');
        await socket.join(this.#channel(lessonId));
        const notice = await this.#enter(room, socket.id);
        const producers = (await room.producersFor(socket.id)).filter(
          (p) => mode === 'full' || isTeacherCamera(room, p),
        );
        // A socket that left while this join awaited was cleaned up by its disconnect handler
        // before it had a peer here, or before `#enter` counted it: that peer or that watcher
        // would stay in the lesson (and the lesson 巡课中) for good.
        if (socket.disconnected) throw new InvalidStateError('the watcher left while joining');
        return {
          lesson,
          peerId: socket.id,
          routerRtpCapabilities: room.rtpCapabilities as unknown as WatchJoinResult['routerRtpCapabilities'],
          transport: transport as unknown as WatchJoinResult['transport'],
          peers: room.peers,
          producers,
          notice,
        };
      } catch (error) {
        // Whatever the disconnect handler already let go of: the join lets go of it all again.
        mine.set(lessonId, mode);
        leave(lessonId);
        throw error;
      }
    });

    handlers.handle('watch:connect', async ({ lessonId, transportId, dtlsParameters }) => {
      await roomOf(lessonId).room.connectTransport(socket.id, transportId, dtlsParameters);
      return null;
    });

    handlers.handle('watch:consume', async ({ lessonId, producerId }) => {
      const { room, mode } = roomOf(lessonId);
      if (mode === 'tile') {
        const producer = room.allProducers().find((p) => p.producerId === producerId);
        if (producer && !isTeacherCamera(room, producer))
          throw new ForbiddenError('a wall tile receives the teacher’s camera only');
      }
      return room.consume(socket.id, producerId);
    });

    handlers.handle('watch:resume', async ({ lessonId, consumerId }) => {
      await roomOf(lessonId).room.resumeConsumer(socket.id, consumerId);
      return null;
    });

    handlers.handle('watch:board', async ({ lessonId, since }) => {
      roomOf(lessonId);
      // Subscribed before the board is read: a change in between arrives twice at worst.
      await socket.join(this.#boardChannel(lessonId));
      return this.#options.boards.open(lessonId, since);
    });

    handlers.handle('watch:leave', ({ lessonId }) => {
      leave(lessonId);
      return Promise.resolve(null);
    });

    socket.on('disconnect', () => {
      for (const lessonId of [...mine.keys()]) leave(lessonId);
    });
  }

  #channel(lessonId: string): string {
    if (!this.#channels) throw new InvalidStateError('watching is not wired to signaling');
    return this.#channels.lessonChannel(lessonId);
  }

  #boardChannel(lessonId: string): string {
    if (!this.#channels) throw new InvalidStateError('watching is not wired to signaling');
    return this.#channels.boardChannel(lessonId);
  }

  /**
   * A watcher arrived. The region's rule is read at every arrival, so that a changed rule
   * applies from the next watcher on: the lesson is told 巡课中 when it is watched and the rule
   * shows it (and told it is not when the rule no longer does).
   */
  async #enter(room: MediaRoom, socketId: string): Promise<boolean> {
    const lessonId = room.lessonId;
    const notice = await this.#options.inspection.showsNotice(lessonId);
    let watched = this.#watched.get(lessonId);
    if (!watched) {
      const entry: Watched = {
        room,
        watchers: new Set(),
        notice: false,
        // A classroom or teacher joining while the lesson is watched is told at once.
        onJoined: (peer) => {
          if (entry.notice && entry.watchers.size)
            this.#channels?.notify(peer.peerId, { lessonId, watched: true });
        },
        onClose: () => this.#watched.delete(lessonId),
      };
      room.on('peerjoined', entry.onJoined);
      room.on('close', entry.onClose);
      this.#watched.set(lessonId, entry);
      watched = entry;
    }
    const told = watched.notice && watched.watchers.size > 0;
    watched.watchers.add(socketId);
    watched.notice = notice;
    if (notice !== told) this.#channels?.notify(this.#channel(lessonId), { lessonId, watched: notice });
    this.#log.debug({ lessonId, watchers: watched.watchers.size }, 'watcher joined');
    return notice;
  }

  /** A watcher left: the last one tells the lesson that no one watches any more. */
  #exit(lessonId: string, socketId: string): void {
    const watched = this.#watched.get(lessonId);
    if (!watched?.watchers.delete(socketId) || watched.watchers.size) return;
    watched.room.off('peerjoined', watched.onJoined);
    watched.room.off('close', watched.onClose);
    this.#watched.delete(lessonId);
    if (watched.notice && !watched.room.closed)
      this.#channels?.notify(this.#channel(lessonId), { lessonId, watched: false });
  }
}

/** Whether a producer is the lesson teacher's camera (what a wall tile shows). */
function isTeacherCamera(room: MediaRoom, producer: ProducerInfo): boolean {
  if (producer.source !== 'camera') return false;
  return room.peers.some((p) => p.peerId === producer.peerId && p.role === 'teacher');
}
