import type { Namespace, Server, Socket } from 'socket.io';
import type { types } from 'mediasoup';
import type { z } from 'zod';
import type { MediaRoom, RoomRegistry } from '../../sfu/index.ts';
import type { Authenticator } from '../auth/Authenticator.ts';
import type { BoardService } from '../board/BoardService.ts';
import { tokenFromHeaders } from '../auth/tokens.ts';
import type { Identity } from '../auth/tokens.ts';
import { ResearchSocketSchemas } from '../contract/research.ts';
import type {
  ResearchClientToServer,
  ResearchPeer,
  ResearchProducer,
  ResearchServerToClient,
} from '../contract/research.ts';
import { ForbiddenError, InvalidStateError, NotFoundError, answerError, publicError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { EventBudgets } from '../signaling/EventBudgets.ts';
import type { EventBudgetOptions } from '../signaling/EventBudgets.ts';
import { InOrderChecks } from '../signaling/InOrder.ts';
import { parseInput } from '../validate.ts';
import type { ResearchBoardSeat, ResearchService } from './ResearchService.ts';

type Events = keyof typeof ResearchSocketSchemas;
interface SocketData {
  identity: Identity;
}
type ResearchSocket = Socket<
  ResearchClientToServer,
  ResearchServerToClient,
  Record<string, never>,
  SocketData
>;
type ResearchNamespace = Namespace<
  ResearchClientToServer,
  ResearchServerToClient,
  Record<string, never>,
  SocketData
>;

/** The socket.io room of a session's participants. */
const channel = (sessionId: string): string => `research:${sessionId}`;
/** The socket.io room of those who opened a session's board. */
const boardChannel = (sessionId: string): string => `research-board:${sessionId}`;

/**
 * Events handled in the order each socket sent them: a stroke streams as `draw`, `extend`s
 * and `finish`, and one whose checks took longer must not be overtaken by the next (the
 * lesson's signaling does the same).
 */
const IN_ORDER: ReadonlySet<Events> = new Set(['research:board-change']);

/** Events spent from the board's budget (a stroke streams as it is drawn, the laser follows the pen). */
const BOARD_EVENTS: ReadonlySet<Events> = new Set(['research:board-change', 'research:board-laser']);

export interface ResearchMediaOptions {
  /** The signaling server: the namespace `/research` shares its engine, origin check and adapter. */
  io: Server;
  auth: Authenticator;
  /** The lessons' room registry: a session's room is opened where lessons' rooms are. */
  rooms: RoomRegistry;
  research: ResearchService;
  /** The lesson boards: a session's board is one, keyed by the session's id. */
  boards: BoardService;
  /**
   * Told when a session ended while no room of it was open here (everyone had left): its
   * recording is finished (`RecordingService.subjectEnded`). @default nothing
   */
  endedWithoutRoom?: (sessionId: string) => void;
  logger: Logger;
  /** Messages per socket, as on the lesson socket (`EventBudgets`). */
  budgets?: EventBudgetOptions;
}

/**
 * The media of 网络教研 sessions (N+N): every teacher of the alliance who opens the session
 * sends its camera and microphone and receives every other teacher's. A session's room is a
 * lesson room (`sfu/LessonRoom`) named by the session's id, in which every participant is a
 * `teacher` — and teachers receive teachers — so no classroom, floor or mute rule applies.
 * Joining through here counts the teacher as taking part (`ResearchService.join`). The room
 * closes when its last teacher leaves. One process hosts a session's room: sockets of one
 * session must reach the same server process (see the README's many-processes notes).
 *
 * The session's board is the lesson board (`BoardService`, the same checks, sequence and
 * persistence), keyed by the session's id: the leading teacher writes as its teacher, the
 * others as classrooms do (with the pen only). When the session ends, its room closes as
 * `ended` (its recording is then composed), its board becomes read-only, and its sockets
 * are told.
 */
export class ResearchMedia {
  readonly #o: ResearchMediaOptions;
  readonly #nsp: ResearchNamespace;
  readonly #log: Logger;
  /** Rooms whose events are forwarded to their session's sockets. */
  readonly #wired = new WeakSet<MediaRoom>();
  /** Sockets here with each session's board open (its changes are forwarded while any). */
  readonly #boardsOpen = new Map<string, number>();
  /** In-order events' checks, per socket (see IN_ORDER). */
  readonly #inOrder = new InOrderChecks<ResearchSocket, Events>(IN_ORDER);
  readonly #budgets: EventBudgets;

  constructor(options: ResearchMediaOptions) {
    this.#o = options;
    this.#log = options.logger.child({ module: 'research-media' });
    this.#budgets = new EventBudgets(options.budgets, BOARD_EVENTS);
    this.#nsp = options.io.of('/research') as unknown as ResearchNamespace;
    this.#nsp.use((socket, next) => {
      const token =
        (socket.handshake.auth['token'] as string | undefined) ?? tokenFromHeaders(socket.handshake.headers);
      options.auth.verify(token).then(
        (identity) => {
          socket.data.identity = identity;
          next();
        },
        (error: unknown) =>
          next(Object.assign(new Error(publicError(error).message), { data: publicError(error) })),
      );
    });
    this.#nsp.on('connection', (socket) => this.#onConnection(socket));
    options.boards.on('ops', (id, ops) => {
      if (this.#boardsOpen.has(id))
        this.#nsp.to(boardChannel(id)).emit('research:board-ops', { sessionId: id, ops });
    });
    options.research.on('ended', (sessionId) => this.#ended(sessionId));
  }

  /** A session ended: its sockets are told, its board turns read-only, its room closes as ended. */
  #ended(sessionId: string): void {
    this.#nsp.to([channel(sessionId), boardChannel(sessionId)]).emit('research:ended', { sessionId });
    void this.#o.boards.close(sessionId);
    if (this.#o.rooms.get(sessionId)) this.#o.rooms.close(sessionId, 'ended');
    else this.#o.endedWithoutRoom?.(sessionId);
    this.#nsp.in(boardChannel(sessionId)).socketsLeave(boardChannel(sessionId));
  }

  #boardEntered(sessionId: string): void {
    this.#boardsOpen.set(sessionId, (this.#boardsOpen.get(sessionId) ?? 0) + 1);
  }

  /** A socket here closed the board; the last one lets the board leave memory (once written). */
  #boardLeft(sessionId: string): void {
    const left = (this.#boardsOpen.get(sessionId) ?? 1) - 1;
    if (left > 0) {
      this.#boardsOpen.set(sessionId, left);
      return;
    }
    this.#boardsOpen.delete(sessionId);
    this.#o.boards.unload(sessionId);
  }

  #wire(room: MediaRoom, sessionId: string): void {
    if (this.#wired.has(room)) return;
    this.#wired.add(room);
    const to = channel(sessionId);
    room.on('peerjoined', (peer) =>
      this.#nsp.to(to).except(peer.peerId).emit('research:peer-joined', peerOf(peer)),
    );
    room.on('peerleft', (peer) => this.#nsp.to(to).emit('research:peer-left', { peerId: peer.peerId }));
    room.on('newproducer', (producer, audience) => {
      if (audience.length) this.#nsp.to(audience).emit('research:producer', producerOf(producer));
    });
    room.on('producerclosed', (producer) =>
      this.#nsp.to(to).emit('research:producer-closed', { producerId: producer.producerId }),
    );
    room.on('consumerclosed', ({ peerId, consumerId }) =>
      this.#nsp.to(peerId).emit('research:consumer-closed', { consumerId }),
    );
  }

  #onConnection(socket: ResearchSocket): void {
    const identity = socket.data.identity;
    const { rooms, research } = this.#o;
    /** Sessions this socket opened (membership checked), and those it joined the media of. */
    const opened = new Set<string>();
    const joined = new Set<string>();
    /** Boards this socket opened, and its seat at each. */
    const seats = new Map<string, ResearchBoardSeat>();
    const seatAt = (sessionId: string): ResearchBoardSeat => {
      const seat = seats.get(sessionId);
      if (!seat) throw new InvalidStateError('open the board first');
      return seat;
    };
    const roomOf = (sessionId: string): MediaRoom => {
      const room = joined.has(sessionId) ? rooms.get(sessionId) : undefined;
      if (!room || room.closed) throw new InvalidStateError('join the session’s media first');
      return room;
    };
    const leave = (sessionId: string): void => {
      joined.delete(sessionId);
      const room = rooms.get(sessionId);
      if (!room) return;
      room.removePeer(socket.id);
      // The last teacher out closes the room; the next one in opens a new one.
      if (room.peers.length === 0) rooms.close(sessionId, 'empty');
    };

    this.#handle(socket, 'research:open', async ({ sessionId }) => {
      await research.join(identity, sessionId);
      const room = await rooms.getOrCreate(sessionId);
      this.#wire(room, sessionId);
      opened.add(sessionId);
      return { routerRtpCapabilities: room.rtpCapabilities as unknown as Record<string, unknown> };
    });
    this.#handle(socket, 'research:join', async ({ sessionId, rtpCapabilities }) => {
      if (!opened.has(sessionId)) throw new InvalidStateError('open the session first');
      const room = await rooms.getOrCreate(sessionId);
      this.#wire(room, sessionId);
      await room.addPeer(
        { peerId: socket.id, role: 'teacher', refId: identity.userId, displayName: identity.displayName },
        rtpCapabilities,
      );
      joined.add(sessionId);
      await socket.join(channel(sessionId));
      return {
        peerId: socket.id,
        peers: room.peers.filter((p) => p.peerId !== socket.id).map(peerOf),
        producers: (await room.producersFor(socket.id)).map(producerOf),
      };
    });
    this.#handle(socket, 'research:transport', async ({ sessionId, direction }) => {
      const params = await roomOf(sessionId).createTransport(socket.id, direction);
      return params;
    });
    this.#handle(socket, 'research:connect', async ({ sessionId, transportId, dtlsParameters }) => {
      await roomOf(sessionId).connectTransport(
        socket.id,
        transportId,
        dtlsParameters as types.DtlsParameters,
      );
      return null;
    });
    this.#handle(
      socket,
      'research:produce',
      async ({ sessionId, transportId, kind, source, rtpParameters }) => {
        const producerId = await roomOf(sessionId).produce(
          socket.id,
          transportId,
          kind,
          source,
          rtpParameters as types.RtpParameters,
        );
        return { producerId };
      },
    );
    this.#handle(socket, 'research:consume', async ({ sessionId, producerId }) => {
      const c = await roomOf(sessionId).consume(socket.id, producerId);
      return {
        id: c.id,
        producerId: c.producerId,
        peerId: c.peerId,
        kind: c.kind,
        rtpParameters: c.rtpParameters as unknown as Record<string, unknown>,
      };
    });
    this.#handle(socket, 'research:resume', async ({ sessionId, consumerId }) => {
      await roomOf(sessionId).resumeConsumer(socket.id, consumerId);
      return null;
    });
    this.#handle(socket, 'research:leave', async ({ sessionId }) => {
      leave(sessionId);
      await socket.leave(channel(sessionId));
      return null;
    });
    this.#handle(socket, 'research:board-open', async ({ sessionId, since }) => {
      if (!opened.has(sessionId)) throw new InvalidStateError('open the session first');
      // Re-read: the seat follows the alliance (a teacher made leader, one removed).
      const seat = await research.boardSeat(identity, sessionId);
      if (!seats.has(sessionId)) this.#boardEntered(sessionId);
      seats.set(sessionId, seat);
      // Subscribed before the board is read: a change in between arrives twice at worst.
      await socket.join(boardChannel(sessionId));
      return this.#o.boards.open(sessionId, since);
    });
    this.#handle(socket, 'research:board-change', async ({ sessionId, change }) => {
      const seat = seatAt(sessionId);
      // The pen goes to a teacher of the alliance (the lesson's: to a classroom of the lesson).
      if (change.t === 'pen' && change.holder !== null && !seat.teacherIds.includes(change.holder))
        throw new NotFoundError(`teacher ${change.holder} is not in this alliance`);
      return { seq: await this.#o.boards.change(sessionId, seat.by, change) };
    });
    this.#handle(socket, 'research:board-laser', async ({ sessionId, point }) => {
      const { by } = seatAt(sessionId);
      if (!(await this.#o.boards.mayWrite(sessionId, by)))
        throw new ForbiddenError('this teacher does not hold the pen');
      socket.to(boardChannel(sessionId)).emit('research:board-laser', { sessionId, by, point });
      return null;
    });
    socket.on('disconnect', () => {
      for (const sessionId of [...joined]) leave(sessionId);
      for (const sessionId of seats.keys()) this.#boardLeft(sessionId);
      seats.clear();
    });
  }

  /**
   * Spends the socket's budget (over it: TooManyRequestsError, the socket stays connected),
   * re-checks the session, parses the payload, runs `fn`, and answers the acknowledgement.
   */
  #handle<E extends Events>(
    socket: ResearchSocket,
    event: E,
    fn: (payload: z.infer<(typeof ResearchSocketSchemas)[E]>) => Promise<unknown>,
  ): void {
    const listener = (payload: unknown, ack: unknown): void => {
      if (typeof ack !== 'function') return;
      const reply = ack as (response: unknown) => void;
      const checks = async (): Promise<void> => {
        await this.#budgets.spend(socket.id, event);
        await this.#o.auth.check(socket.data.identity);
      };
      this.#inOrder
        .run(socket, event, checks)
        .then(async () => {
          const schema: z.ZodType = ResearchSocketSchemas[event];
          return fn(
            parseInput(schema, payload, `${event} payload`) as z.infer<(typeof ResearchSocketSchemas)[E]>,
          );
        })
        .then(
          (data) => reply({ ok: true, data }),
          (error: unknown) => reply({ ok: false, error: answerError(error, this.#log, { event }).body }),
        );
    };
    (socket as unknown as { on(name: string, l: (payload: unknown, ack: unknown) => void): void }).on(
      event,
      listener,
    );
  }
}

const peerOf = (p: { peerId: string; refId: string; displayName: string }): ResearchPeer => ({
  peerId: p.peerId,
  refId: p.refId,
  displayName: p.displayName,
});

const producerOf = (p: {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'mic' | 'screen';
}): ResearchProducer => ({ producerId: p.producerId, peerId: p.peerId, kind: p.kind, source: p.source });
