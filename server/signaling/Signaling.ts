import type http from 'node:http';
import { Server } from 'socket.io';
import type { ServerOptions, Socket } from 'socket.io';
import type { types } from 'mediasoup';
import type { z } from 'zod';
import { LessonRoom } from '../../sfu/index.ts';
import type { MediaRoom, RoomRegistry } from '../../sfu/index.ts';
import type { Authenticator } from '../auth/Authenticator.ts';
import type { BoardService } from '../board/BoardService.ts';
import type { Identity } from '../auth/tokens.ts';
import { tokenFromHeaders } from '../auth/tokens.ts';
import { isLoopbackHost } from '../config.ts';
import { originAllowed } from '../http/security.ts';
import { EventBudgets } from './EventBudgets.ts';
import type { EventBudgetOptions } from './EventBudgets.ts';
import { InOrderChecks } from './InOrder.ts';
import { pushRecordingStatus, relayRecordingSwitches } from './recordingPush.ts';
import type { RecordingChanges, RecordingSwitches } from './recordingPush.ts';
import type { LessonSummary } from '../contract/api.ts';
import type {
  AckData,
  AckFn,
  ClientToServerEvents,
  JoinResult,
  ServerToClientEvents,
  SocketData,
} from '../contract/events.ts';
import { SocketSchemas } from '../contract/schemas.ts';
import type { BoardAuthor } from '../contract/board.ts';
import {
  ArgumentError,
  ForbiddenError,
  InvalidStateError,
  LessonNotLiveError,
  NotFoundError,
  UnauthorizedError,
  answerError,
  publicError,
} from '../errors.ts';
import type { Watch } from '../inspection/Watch.ts';
import type { Interactions } from '../lessons/Interactions.ts';
import type { LessonService } from '../lessons/LessonService.ts';
import type { LessonLeases } from '../scale/LessonLeases.ts';
import { IdleLessons } from '../scale/IdleLessons.ts';
import type { Metrics } from '../metrics/Metrics.ts';
import type { Logger } from '../logger.ts';
import { parseInput } from '../validate.ts';

/** What one server process tells the others (through the shared adapter). */
interface ServerSideEvents {
  /** A lesson ended: the process that hosts it closes its room and board. */
  'lesson:ended': (lessonId: string) => void;
  /** A lesson went live: the process that hosts it admits the participants waiting in its room. */
  'lesson:live': (lessonId: string) => void;
  /** Recording switches written on one process: the process recording each lesson follows them. */
  'recording:switched': (lessonIds: string[]) => void;
}

type IoServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  ServerSideEvents,
  SocketData & { identity: Identity }
>;
type IoSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  ServerSideEvents,
  SocketData & { identity: Identity }
>;
type EventName = keyof typeof SocketSchemas;

/**
 * Events handled in the order each socket sent them. A stroke streams as `draw`, `extend`s and
 * `finish`: a change whose checks waited (its session re-read from the database once a second)
 * must not be overtaken by the next, or the board refuses an `extend` of a stroke not yet
 * drawn, or one after its `finish`.
 */
const IN_ORDER: ReadonlySet<EventName> = new Set(['board:change']);

/**
 * The socket's heartbeat, ms. A school link that drops for up to half a minute keeps its socket,
 * and with it the page's media on the server: the page restarts ICE on its transports once the
 * browser has given them up (`transport:restart-ice`, some 15 s into a cut in Chromium) and its
 * producers and consumers carry on. With socket.io's defaults (a ping every 25 s, 20 s to
 * answer) a 20 s cut could close the socket, and the server then removes the page's media. A
 * socket gone for good is noticed within 40 s (45 s with the defaults).
 */
const PING_INTERVAL_MS = 10_000;
const PING_TIMEOUT_MS = 30_000;

export interface SignalingOptions {
  httpServer: http.Server;
  auth: Authenticator;
  lessons: LessonService;
  rooms: RoomRegistry;
  boards: BoardService;
  interactions: Interactions;
  /** Which process hosts each live lesson (media room, board, interactions). */
  leases: LessonLeases;
  logger: Logger;
  /** How often link health is pushed to a lesson's participants, ms. @default 2000 */
  healthIntervalMs?: number;
  /** Origins besides the server's own that may open a socket. @default none */
  allowedOrigins?: readonly string[];
  /** Whether a connection from this address is a proxy whose X-Forwarded-* to believe. @default loopback */
  trustsProxy?: (address: string, hop: number) => boolean;
  /** Messages per socket. */
  budgets?: EventBudgetOptions;
  /** How long before its access token runs out a socket is asked to renew it, ms. @default 60000 */
  renewAheadMs?: number;
  /**
   * How long a lesson that is not live stays hosted here after the last board here closed,
   * ms. @default 30000
   */
  idleReleaseMs?: number;
  /** Counts and times handled events. */
  metrics?: Pick<Metrics, 'socketEvent'>;
  /** socket.io adapter shared by several processes (Redis). @default one process's memory */
  adapter?: ServerOptions['adapter'];
  /** 巡课: receive-only watchers of live lessons, handled by their own module. @default none */
  watch?: Watch;
  /** Recording changes, pushed to each lesson's pages as `lesson:recording`; switches, relayed to every process. @default none */
  recordings?: RecordingChanges & RecordingSwitches;
}

// socket.io rooms ("channels" here, not to be confused with the media plane's LessonRoom).
const userChannel = (userId: string): string => `user:${userId}`;
const classroomChannel = (classroomId: string): string => `classroom:${classroomId}`;
const lessonChannel = (lessonId: string): string => `lesson:${lessonId}`;
const boardChannel = (lessonId: string): string => `board:${lessonId}`;
const sessionChannel = (sessionId: string): string => `session:${sessionId}`;

/**
 * socket.io signaling: JWT checked in the handshake, every payload validated, every
 * handler answered with an `Ack` (errors included), media state kept in the sfu rooms.
 */
export class Signaling {
  readonly io: IoServer;
  readonly #options: SignalingOptions;
  readonly #log: Logger;
  readonly #healthTimer: NodeJS.Timeout;
  readonly #budgets: EventBudgets;
  /** In-order events' checks, per socket (see IN_ORDER). */
  readonly #inOrder = new InOrderChecks<IoSocket, EventName>(IN_ORDER);
  /** Per socket: the timers that ask it to renew its token and close it when the token runs out. */
  readonly #expiry = new Map<string, NodeJS.Timeout[]>();
  /** Lessons whose board is open here, so that one nobody uses is given up. */
  readonly #idle: IdleLessons;
  /**
   * Lessons seen going live (this process or, through the adapter, another): a participant
   * that joined the waiting room while its lesson went live is admitted at once.
   */
  readonly #wentLive = new Set<string>();
  readonly #stopRecordingRelays: () => void;

  constructor(options: SignalingOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'signaling' });
    this.#budgets = new EventBudgets(options.budgets);
    this.#idle = new IdleLessons(options.idleReleaseMs ?? 30_000, (lessonId) => {
      void this.#releaseIfIdle(lessonId);
    });
    this.io = new Server(options.httpServer, {
      serveClient: false,
      maxHttpBufferSize: 256 * 1024,
      pingInterval: PING_INTERVAL_MS,
      pingTimeout: PING_TIMEOUT_MS,
      ...(options.adapter ? { adapter: options.adapter } : {}),
      // A page of another site must not open a socket with the victim's cookie.
      allowRequest: (req, callback) => {
        const address = req.socket.remoteAddress ?? '';
        const ok = originAllowed(
          req,
          options.allowedOrigins ?? [],
          options.trustsProxy ? options.trustsProxy(address, 0) : isLoopbackHost(address),
        );
        callback(ok ? null : 'cross-origin connection refused', ok);
      },
    });
    // Sessions ended anywhere close their sockets (across processes once the adapter is shared).
    options.auth.sessions.on('ended', ({ userId, sessionId, reason }) => {
      const target = sessionId ? sessionChannel(sessionId) : userChannel(userId);
      this.io.to(target).emit('session:ended', { reason });
      this.io.in(target).disconnectSockets(true);
    });
    this.io.use((socket, next) => {
      const token =
        (socket.handshake.auth['token'] as string | undefined) ?? tokenFromHeaders(socket.handshake.headers);
      options.auth.verify(token).then(
        (identity) => {
          socket.data.identity = identity;
          socket.data.userId = identity.userId;
          socket.data.role = identity.role;
          socket.data.displayName = identity.displayName;
          if (identity.classroomId) socket.data.classroomId = identity.classroomId;
          next();
        },
        (error: unknown) =>
          next(Object.assign(new Error(publicError(error).message), { data: publicError(error) })),
      );
    });
    this.io.on('connection', (socket) => this.#onConnection(socket));
    options.watch?.bind({
      lessonChannel,
      boardChannel,
      notify: (to, payload) => this.io.to(to).emit('lesson:inspection', payload),
    });
    options.lessons.on('statechange', (lesson) => this.#onLessonState(lesson));
    options.lessons.on('planchange', ({ classroomIds, teacherIds }) =>
      this.io
        .to([...classroomIds.map(classroomChannel), ...teacherIds.map(userChannel)])
        .emit('lessons:changed', {}),
    );
    this.io.on('lesson:ended', (lessonId) => {
      options.lessons.forget(lessonId);
      this.#stopHosting(lessonId, 'ended');
    });
    this.io.on('lesson:live', (lessonId) => this.#admitWaiting(lessonId));
    // Another process took the lesson over (this one stalled past its lease): its sockets here
    // reconnect, and the load balancer sends them to the new host.
    options.leases.on('lost', (lessonId) => {
      this.#stopHosting(lessonId, 'moved');
      this.io.local.in(lessonChannel(lessonId)).disconnectSockets(true);
    });
    options.rooms.on('newroom', (room) => this.#wireRoom(room));
    options.boards.on('ops', (lessonId, ops) =>
      this.io.to(boardChannel(lessonId)).emit('board:ops', { lessonId, ops }),
    );
    options.interactions.on('change', (lessonId, interaction) =>
      this.io.to(lessonChannel(lessonId)).emit('lesson:interaction', { lessonId, interaction }),
    );
    // Through the adapter: the lesson's pages may be connected to any process, and the
    // process recording a lesson may not be the one its switch was written on.
    const recordings = options.recordings;
    const stops = recordings
      ? [
          pushRecordingStatus(
            recordings,
            (status) => this.io.to(lessonChannel(status.lessonId)).emit('lesson:recording', status),
            this.#log,
          ),
          ...(options.adapter
            ? [
                relayRecordingSwitches(
                  recordings,
                  {
                    send: (lessonIds) => this.io.serverSideEmit('recording:switched', lessonIds),
                    receive: (listener) => this.io.on('recording:switched', listener),
                  },
                  this.#log,
                ),
              ]
            : []),
        ]
      : [];
    this.#stopRecordingRelays = () => stops.forEach((stop) => stop());
    this.#healthTimer = setInterval(() => void this.#pushHealth(), options.healthIntervalMs ?? 2000);
    this.#healthTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#healthTimer);
    this.#stopRecordingRelays();
    this.#idle.close();
    await this.io.close();
    await this.#options.leases.close();
  }

  /** Asks the socket to renew its access token ahead of its end, and closes it at the end. */
  #armExpiry(socket: IoSocket): void {
    for (const timer of this.#expiry.get(socket.id) ?? []) clearTimeout(timer);
    const { expiresAt } = socket.data.identity;
    if (expiresAt === undefined) return;
    const left = expiresAt - Date.now();
    const ahead = Math.min(this.#options.renewAheadMs ?? 60_000, left / 2);
    const timers = [
      setTimeout(() => socket.emit('session:expiring', { expiresAt }), Math.max(0, left - ahead)),
      setTimeout(
        () => {
          socket.emit('session:ended', { reason: 'expired' });
          socket.disconnect(true);
        },
        Math.max(0, left),
      ),
    ];
    for (const timer of timers) timer.unref();
    this.#expiry.set(socket.id, timers);
  }

  #onConnection(socket: IoSocket): void {
    const { identity } = socket.data;
    void socket.join(userChannel(identity.userId));
    if (identity.sessionId) void socket.join(sessionChannel(identity.sessionId));
    this.#armExpiry(socket);
    if (identity.classroomId) void socket.join(classroomChannel(identity.classroomId));
    const joined = new Set<string>();
    /** Boards this socket opened, and as whom it writes on them. */
    const boardsOpen = new Map<string, BoardAuthor>();
    const { lessons, rooms, boards, interactions, leases } = this.#options;

    const roomOf = (lessonId: string): MediaRoom => {
      const room = rooms.get(lessonId);
      if (!room || !joined.has(lessonId) || !room.hasPeer(socket.id)) {
        throw new InvalidStateError('join the lesson first');
      }
      return room;
    };

    this.#handle(socket, 'lesson:join', async ({ lessonId, rtpCapabilities }): Promise<JoinResult> => {
      const { lesson, as } = await lessons.participation(identity, lessonId);
      if (lesson.state === 'ended') throw new LessonNotLiveError(lesson.state);
      // Before the lesson is live, its teacher and classrooms wait in its media room (transports
      // connected, the teacher's camera produced) but are not yet in the lesson: announced, and
      // counted, once it goes live. Only a room of this process's workers holds a waiting room:
      // the others' pages are told that the lesson is not live and join at its start.
      const waiting = lesson.state === 'scheduled';
      if (waiting && !rooms.canWait(lesson.classrooms.length)) throw new LessonNotLiveError(lesson.state);
      await leases.claim(lessonId);
      // Read before the room opens, so that a rebuilt room starts with the floor and the mutes.
      await interactions.get(lessonId);
      const room = await rooms.getOrCreate(lessonId, { classrooms: lesson.classrooms.length });
      // Shape checked by the schema; the header extension URIs mediasoup checks itself.
      if (room instanceof LessonRoom)
        room.addPeer({ peerId: socket.id, ...as }, rtpCapabilities as types.RtpCapabilities, { waiting });
      else await room.addPeer({ peerId: socket.id, ...as }, rtpCapabilities as types.RtpCapabilities);
      // A socket that left while this join awaited its checks was cleaned up before it had a
      // peer here: the peer just added would stay in the lesson for good.
      if (socket.disconnected) {
        room.removePeer(socket.id);
        this.#closeIfEmpty(lessonId);
        throw new InvalidStateError('the socket left while joining');
      }
      joined.add(lessonId);
      await socket.join(lessonChannel(lessonId));
      // The lesson went live while this join awaited its checks: no waiting.
      if (waiting && this.#wentLive.has(lessonId)) this.#admitWaiting(lessonId);
      return {
        lesson,
        peerId: socket.id,
        routerRtpCapabilities: room.rtpCapabilities as unknown as JoinResult['routerRtpCapabilities'],
        peers: room.peers.filter((p) => p.peerId !== socket.id),
        producers: await room.producersFor(socket.id),
        interaction: await interactions.get(lessonId),
      };
    });

    this.#handle(socket, 'lesson:leave', async ({ lessonId }) => {
      rooms.get(lessonId)?.removePeer(socket.id);
      this.#closeIfEmpty(lessonId);
      joined.delete(lessonId);
      await socket.leave(lessonChannel(lessonId));
      return null;
    });

    this.#handle(socket, 'lesson:start', ({ lessonId }) => lessons.start(identity, lessonId));

    this.#handle(socket, 'lesson:end', ({ lessonId }) => lessons.end(identity, lessonId));

    this.#handle(socket, 'transport:create', async ({ lessonId, direction }) => {
      return roomOf(lessonId).createTransport(socket.id, direction);
    });

    this.#handle(socket, 'transport:connect', async ({ lessonId, transportId, dtlsParameters }) => {
      await roomOf(lessonId).connectTransport(socket.id, transportId, dtlsParameters);
      return null;
    });

    this.#handle(socket, 'transport:restart-ice', async ({ lessonId, transportId, peerId }) => {
      const own = !peerId || peerId === socket.id;
      const room = own ? roomOf(lessonId) : await this.#peerOfSameAccount(identity, lessonId, peerId);
      const iceParameters = await room.restartIce(own ? socket.id : peerId, transportId);
      return { iceParameters: iceParameters as unknown as AckData<'transport:restart-ice'>['iceParameters'] };
    });

    this.#handle(socket, 'produce', async ({ lessonId, transportId, kind, source, rtpParameters }) => {
      const producerId = await roomOf(lessonId).produce(
        socket.id,
        transportId,
        kind,
        source,
        rtpParameters as unknown as types.RtpParameters,
      );
      return { producerId };
    });

    this.#handle(socket, 'consume', async ({ lessonId, producerId }) => {
      return roomOf(lessonId).consume(socket.id, producerId);
    });

    this.#handle(socket, 'consumer:resume', async ({ lessonId, consumerId }) => {
      await roomOf(lessonId).resumeConsumer(socket.id, consumerId);
      return null;
    });

    this.#handle(socket, 'consumer:close', async ({ lessonId, consumerId }) => {
      await roomOf(lessonId).closeConsumer(socket.id, consumerId);
      return null;
    });

    /** The lesson, if the caller is its teacher. */
    const asTeacher = async (lessonId: string): Promise<LessonSummary> => {
      const { lesson, as } = await lessons.participation(identity, lessonId);
      if (as.role !== 'teacher') throw new ForbiddenError('only the lesson’s teacher can do this');
      return lesson;
    };
    const classroomOf = (lesson: LessonSummary, classroomId: string | null): string | null => {
      if (classroomId !== null && !lesson.classrooms.some((c) => c.id === classroomId))
        throw new NotFoundError(`classroom ${classroomId} is not in this lesson`);
      return classroomId;
    };

    this.#handle(socket, 'board:open', async ({ lessonId, since }) => {
      const { lesson, as } = await lessons.participation(identity, lessonId);
      if (lesson.state === 'ended')
        throw new InvalidStateError('the lesson has ended; replay its board instead');
      if (as.role === 'classroom' && lesson.state !== 'live') throw new LessonNotLiveError(lesson.state);
      // The board's sequence lives with the lesson's host (a scheduled lesson's board too).
      const first = !boardsOpen.has(lessonId);
      if (first) this.#idle.enter(lessonId);
      try {
        await leases.claim(lessonId);
      } catch (error) {
        if (first) this.#idle.leave(lessonId);
        throw error;
      }
      // Subscribed before the board is read: a change in between arrives twice at worst, never not at all.
      await socket.join(boardChannel(lessonId));
      boardsOpen.set(lessonId, { role: as.role, refId: as.refId });
      return boards.open(lessonId, since);
    });

    const authorOn = (lessonId: string): BoardAuthor => {
      const by = boardsOpen.get(lessonId);
      if (!by) throw new InvalidStateError('open the board first');
      return by;
    };

    this.#handle(socket, 'board:change', async ({ lessonId, change }) => ({
      seq: await boards.change(lessonId, authorOn(lessonId), change),
    }));

    this.#handle(socket, 'board:laser', async ({ lessonId, point }) => {
      const by = authorOn(lessonId);
      if (!(await boards.mayWrite(lessonId, by)))
        throw new ForbiddenError('this classroom does not hold the pen');
      socket.to(boardChannel(lessonId)).emit('board:laser', { lessonId, by, point });
      return null;
    });

    this.#handle(socket, 'hand:set', async ({ lessonId, raised, classroomId }) => {
      await leases.claim(lessonId);
      if (identity.role === 'classroom') {
        if (!joined.has(lessonId) || !identity.classroomId)
          throw new InvalidStateError('join the lesson first');
        return interactions.setHand(lessonId, identity.classroomId, raised);
      }
      const lesson = await asTeacher(lessonId);
      if (raised || !classroomId)
        throw new ArgumentError('the teacher can only lower a classroom’s hand (classroomId)');
      return interactions.setHand(lessonId, classroomOf(lesson, classroomId)!, false);
    });

    /** The lesson, if the caller is its teacher and this process hosts it. */
    const teachingHere = async (lessonId: string): Promise<LessonSummary> => {
      const lesson = await asTeacher(lessonId);
      await leases.claim(lessonId);
      return lesson;
    };

    this.#handle(socket, 'floor:set', async ({ lessonId, classroomId }) =>
      interactions.setFloor(lessonId, classroomOf(await teachingHere(lessonId), classroomId)),
    );

    this.#handle(socket, 'spotlight:set', async ({ lessonId, classroomId }) =>
      interactions.setSpotlight(lessonId, classroomOf(await teachingHere(lessonId), classroomId)),
    );

    this.#handle(socket, 'mute:set', async ({ lessonId, classroomId, muted }) =>
      interactions.setMuted(lessonId, classroomOf(await teachingHere(lessonId), classroomId)!, muted),
    );

    this.#handle(socket, 'session:renew', async ({ token }) => {
      const renewed = await this.#options.auth.verify(token);
      if (renewed.userId !== identity.userId || renewed.sessionId !== identity.sessionId)
        throw new ForbiddenError('a socket renews with a token of its own session');
      // Same object: every handler of this socket sees the renewed identity.
      Object.assign(identity, renewed);
      this.#armExpiry(socket);
      return { expiresAt: renewed.expiresAt ?? 0 };
    });

    this.#options.watch?.attach(socket, { handle: (event, fn) => this.#handle(socket, event, fn) });

    socket.on('disconnect', (reason) => {
      for (const timer of this.#expiry.get(socket.id) ?? []) clearTimeout(timer);
      this.#expiry.delete(socket.id);
      for (const lessonId of joined) {
        rooms.get(lessonId)?.removePeer(socket.id);
        this.#closeIfEmpty(lessonId);
      }
      joined.clear();
      for (const lessonId of boardsOpen.keys()) this.#idle.leave(lessonId);
      boardsOpen.clear();
      this.#log.debug({ userId: identity.userId, reason }, 'socket disconnected');
    });
  }

  /**
   * Registers a handler: the payload is validated, the result or the error goes back in the
   * acknowledgement, and nothing a client sends can throw out of here.
   */
  #handle<E extends EventName>(
    socket: IoSocket,
    event: E,
    fn: (payload: z.infer<(typeof SocketSchemas)[E]>) => Promise<AckData<E>>,
  ): void {
    const listener = (payload: unknown, ack: unknown): void => {
      if (typeof ack !== 'function') {
        this.#log.warn(
          { event, userId: socket.data.identity.userId },
          'event without acknowledgement ignored',
        );
        return;
      }
      const reply = ack as AckFn<AckData<E>>;
      const { identity } = socket.data;
      const started = performance.now();
      const seconds = (): number => (performance.now() - started) / 1000;
      const checks = async (): Promise<void> => {
        await this.#budgets.spend(socket.id, event);
        // Every message re-checks that the session still stands (cached for a second).
        if (event !== 'session:renew') await this.#options.auth.check(identity);
      };
      this.#inOrder
        .run(socket, event, checks)
        .then(() =>
          fn(
            parseInput(SocketSchemas[event], payload, `${event} payload`) as z.infer<
              (typeof SocketSchemas)[E]
            >,
          ),
        )
        .then(
          (data) => {
            reply({ ok: true, data });
            this.#options.metrics?.socketEvent(event, 'ok', seconds());
          },
          (error: unknown) => {
            const { body } = answerError(error, this.#log, { event, userId: identity.userId });
            this.#options.metrics?.socketEvent(
              event,
              body.code === 'INTERNAL' ? 'failed' : 'refused',
              seconds(),
            );
            const { issues, ...rest } = body;
            reply({
              ok: false,
              error: { ...rest, ...(issues ? { issues: issues.map((i) => `${i.path}: ${i.message}`) } : {}) },
            });
            if (error instanceof UnauthorizedError && event !== 'session:renew') {
              socket.emit('session:ended', {
                reason: error.code === 'SESSION_EXPIRED' ? 'expired' : 'logout',
              });
              socket.disconnect(true);
            }
          },
        );
    };
    socket.on(event, listener as never);
  }

  #onLessonState(lesson: LessonSummary): void {
    const targets = [userChannel(lesson.teacherId), ...lesson.classrooms.map((c) => classroomChannel(c.id))];
    this.io.to(targets).emit('lesson:state', { lessonId: lesson.id, state: lesson.state, lesson });
    if (lesson.state === 'live') {
      if (this.#options.adapter) this.io.serverSideEmit('lesson:live', lesson.id);
      this.#admitWaiting(lesson.id);
    }
    if (lesson.state === 'ended') {
      // Whichever process hosts it closes its media and board (one process alone: this one).
      if (this.#options.adapter) this.io.serverSideEmit('lesson:ended', lesson.id);
      this.#stopHosting(lesson.id, 'ended');
      void this.#options.interactions
        .drop(lesson.id)
        .catch((error: unknown) =>
          this.#log.warn({ err: error, lessonId: lesson.id }, 'interactions of an ended lesson not removed'),
        );
      this.io.in(boardChannel(lesson.id)).socketsLeave(boardChannel(lesson.id));
    }
  }

  /**
   * The room of a lesson's peer that is this identity in it (another socket of the same account,
   * asking for it: a page whose main socket is stalled by a cut link).
   * @throws NotFoundError when the room has no such peer, or it is someone else
   */
  async #peerOfSameAccount(identity: Identity, lessonId: string, peerId: string): Promise<MediaRoom> {
    const { as } = await this.#options.lessons.participation(identity, lessonId);
    const room = this.#options.rooms.get(lessonId);
    const peer = room?.peers.find((p) => p.peerId === peerId);
    if (!room || !peer || peer.role !== as.role || peer.refId !== as.refId)
      throw new NotFoundError(`peer ${peerId} not found`);
    return room;
  }

  /** The lesson went live: the participants waiting in its room here join it. */
  #admitWaiting(lessonId: string): void {
    this.#wentLive.add(lessonId);
    const room = this.#options.rooms.get(lessonId);
    if (!(room instanceof LessonRoom) || room.closed || !room.waiting) return;
    room
      .admit()
      .catch((error: unknown) =>
        this.#log.warn({ err: error, lessonId }, 'waiting participants not admitted'),
      );
  }

  /**
   * A waiting room that everyone left before its lesson went live closes (a lesson that never
   * starts keeps no router); a live lesson's room stays until the lesson ends.
   */
  #closeIfEmpty(lessonId: string): void {
    const room = this.#options.rooms.get(lessonId);
    if (!room || room.closed || this.#wentLive.has(lessonId) || room.stats().peers > 0) return;
    void this.#options.lessons.stateOf(lessonId).then(
      (state) => {
        const now = this.#options.rooms.get(lessonId);
        if (state === 'scheduled' && now === room && !room.closed && room.stats().peers === 0)
          this.#options.rooms.close(lessonId, 'closed');
      },
      () => undefined,
    );
  }

  /** This process no longer hosts the lesson: its room and board close here, and its lease is given up. */
  #stopHosting(lessonId: string, reason: 'ended' | 'moved'): void {
    this.#wentLive.delete(lessonId);
    const { rooms, boards, interactions, leases } = this.#options;
    rooms.close(lessonId, reason);
    interactions.forget(lessonId);
    void boards.close(lessonId);
    if (reason === 'ended')
      void leases
        .release(lessonId)
        .catch((error: unknown) => this.#log.warn({ err: error, lessonId }, 'lesson lease not released'));
  }

  /**
   * Nobody here has had the lesson's board open for a while: unless the lesson is live (its
   * end gives it up), this process stops hosting it, so that its lease is not kept forever.
   */
  async #releaseIfIdle(lessonId: string): Promise<void> {
    const { lessons, rooms, boards, interactions, leases } = this.#options;
    try {
      const state = await lessons.stateOf(lessonId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return 'ended' as const;
        throw error;
      });
      // stats() counts the participants waiting for the lesson to go live too.
      if (state === 'live' || this.#idle.inUse(lessonId) || rooms.get(lessonId)?.stats().peers) return;
      boards.unload(lessonId);
      interactions.forget(lessonId);
      await leases.release(lessonId);
      this.#log.debug({ lessonId }, 'idle lesson given up');
    } catch (error) {
      this.#log.warn({ err: error, lessonId }, 'idle lesson not given up');
    }
  }

  #wireRoom(room: MediaRoom): void {
    const target = lessonChannel(room.lessonId);
    room.on('peerjoined', (peer) => this.io.to(target).except(peer.peerId).emit('peer:joined', peer));
    room.on('peerleft', (peer) => this.io.to(target).emit('peer:left', { peerId: peer.peerId }));
    room.on('newproducer', (producer, audience) => {
      if (audience.length) this.io.to(audience).emit('producer:new', producer);
    });
    room.on('producerclosed', (producer) =>
      this.io.to(target).emit('producer:closed', { producerId: producer.producerId }),
    );
    room.on('consumerclosed', ({ peerId, consumerId }) =>
      this.io.to(peerId).emit('consumer:closed', { consumerId }),
    );
    room.on('close', (reason) => {
      if (reason === 'worker-died' || reason === 'node-died') {
        this.#log.warn({ lessonId: room.lessonId, reason }, 'lesson media lost; participants rejoin');
        this.io.to(target).emit('lesson:media-reset', { lessonId: room.lessonId, reason });
      }
      this.io.in(target).socketsLeave(target);
    });
  }

  async #pushHealth(): Promise<void> {
    for (const stats of this.#options.rooms.stats()) {
      const room = this.#options.rooms.get(stats.lessonId);
      if (!room || stats.peers === 0) continue;
      try {
        const peers = await room.health();
        this.io.to(lessonChannel(room.lessonId)).emit('lesson:health', { lessonId: room.lessonId, peers });
      } catch (error) {
        if (!(error instanceof NotFoundError)) this.#log.debug({ err: error }, 'health failed');
      }
    }
  }
}
