import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type {
  ResearchClientToServer,
  ResearchPeer,
  ResearchServerToClient,
} from '../../../server/contract/research.ts';
import type { BoardLink } from '../board/BoardSession.ts';
import { Emitter } from '../emitter.ts';
import { refusalWords } from '../i18n.ts';
import type { WireError } from '../../../server/contract/errors.ts';
import { CAMERA_CODEC_OPTIONS, CLASSROOM_CAMERA, MIC_CODEC_OPTIONS } from '../media/encodings.ts';

type ResearchSocket = Socket<ResearchServerToClient, ResearchClientToServer>;
type Result<E extends keyof ResearchClientToServer> = Parameters<
  Parameters<ResearchClientToServer[E]>[1]
>[0] extends infer R
  ? R extends { ok: true; data: infer T }
    ? T
    : never
  : never;

/** A remote teacher's track, by the teacher (user id) it comes from. */
export interface ResearchTrack {
  consumerId: string;
  userId: string;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
}

export interface ResearchClientEvents extends Record<string, unknown[]> {
  state: ['idle' | 'joining' | 'joined' | 'failed', string?];
  track: [ResearchTrack];
  trackended: [{ consumerId: string }];
  /** Another teacher's media could not be received (the others' still are). */
  trackfailed: [{ message: string }];
  peerleft: [{ userId: string }];
  /** The session was ended (by its leading teacher or an overseer). */
  ended: [];
}

/** Sends a request on the research socket and resolves with its acknowledged data. */
function request<E extends keyof ResearchClientToServer>(
  socket: ResearchSocket,
  event: E,
  payload: Parameters<ResearchClientToServer[E]>[0],
): Promise<Result<E>> {
  type Reply = { ok: boolean; data?: unknown; error?: WireError };
  const timed = socket.timeout(15_000) as unknown as {
    emit(name: string, payload: unknown, callback: (err: Error | null, reply: Reply) => void): void;
  };
  return new Promise((resolve, reject) => {
    timed.emit(event, payload, (err, reply) => {
      if (err) reject(err);
      else if (reply.ok) resolve(reply.data as Result<E>);
      else reject(new Error(reply.error ? refusalWords(reply.error) : 'refused'));
    });
  });
}

/**
 * One teacher's media in a research session (网络教研, N+N): joins over the `/research`
 * namespace, sends its camera (the grid size of a classroom camera: up to 25 tiles) and
 * microphone, and receives every other teacher's. The login cookie authenticates the socket.
 */
export class ResearchClient extends Emitter<ResearchClientEvents> {
  readonly #sessionId: string;
  readonly #socket: ResearchSocket;
  #recv: types.Transport | null = null;
  /** peerId → user id of the teachers in the room. */
  readonly #peers = new Map<string, string>();
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #consuming = new Set<string>();
  /** Producers announced before the receive transport existed. */
  readonly #pending = new Set<string>();

  constructor(sessionId: string) {
    super();
    this.#sessionId = sessionId;
    this.#socket = io('/research', { withCredentials: true, transports: ['websocket', 'polling'] });
    this.#socket.on('research:peer-joined', (p) => this.#peers.set(p.peerId, p.refId));
    this.#socket.on('research:peer-left', ({ peerId }) => {
      const userId = this.#peers.get(peerId);
      this.#peers.delete(peerId);
      if (userId) this.emit('peerleft', { userId });
    });
    this.#socket.on('research:producer', (p) => {
      if (this.#recv) void this.#consumeOrSay(p.producerId);
      else this.#pending.add(p.producerId);
    });
    this.#socket.on('research:consumer-closed', ({ consumerId }) => this.#drop(consumerId));
    this.#socket.on('research:ended', () => this.emit('ended'));
    this.#socket.on('research:producer-closed', ({ producerId }) => {
      for (const c of this.#consumers.values()) if (c.producerId === producerId) this.#drop(c.id);
    });
  }

  /** The receive transport's statistics (inbound audio and video per consumer), for the grid's health. */
  async stats(): Promise<RTCStatsReport | null> {
    return this.#recv ? this.#recv.getStats() : null;
  }

  /** Opens the session (it is held; this teacher takes part), sends `stream`, receives the others. */
  async join(stream: MediaStream): Promise<void> {
    this.emit('state', 'joining');
    const sessionId = this.#sessionId;
    let joined: Result<'research:join'>;
    try {
      const { routerRtpCapabilities } = await request(this.#socket, 'research:open', { sessionId });
      const device = new Device();
      await device.load({ routerRtpCapabilities: routerRtpCapabilities });
      joined = await request(this.#socket, 'research:join', {
        sessionId,
        rtpCapabilities: device.recvRtpCapabilities,
      });
      for (const p of joined.peers) this.#peers.set(p.peerId, p.refId);
      this.#recv = device.createRecvTransport(await this.#transportOptions('recv'));
      this.#connectOnDemand(this.#recv);
      const send = device.createSendTransport(await this.#transportOptions('send'));
      this.#connectOnDemand(send);
      send.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        request(this.#socket, 'research:produce', {
          sessionId,
          transportId: send.id,
          kind,
          source: appData['source'] as 'camera' | 'mic',
          rtpParameters: rtpParameters,
        }).then(({ producerId }) => callback({ id: producerId }), errback);
      });
      const audio = stream.getAudioTracks()[0];
      const video = stream.getVideoTracks()[0];
      if (audio)
        await send.produce({
          track: audio,
          codecOptions: MIC_CODEC_OPTIONS,
          appData: { source: 'mic' },
          stopTracks: false,
        });
      if (video)
        await send.produce({
          track: video,
          encodings: [CLASSROOM_CAMERA.grid],
          codecOptions: CAMERA_CODEC_OPTIONS,
          appData: { source: 'camera' },
          stopTracks: false,
        });
    } catch (error) {
      this.emit('state', 'failed', error instanceof Error ? error.message : String(error));
      throw error;
    }
    // In: this teacher is seen and heard. The others' media follow, all at once (one at a
    // time, the sixth teacher of a session waited for ten consumers in a row), each tile on
    // its own: one that fails leaves the rest.
    this.emit('state', 'joined');
    const producers = new Set([...joined.producers.map((p) => p.producerId), ...this.#pending]);
    this.#pending.clear();
    await Promise.all([...producers].map((producerId) => this.#consumeOrSay(producerId)));
  }

  /**
   * The session's board over this socket: the lesson board, keyed by the session's id.
   * Opening it opens the session first (again after a reconnect: the server forgets a
   * socket's sessions when it goes).
   */
  boardLink(): BoardLink {
    const socket = this.#socket;
    const sessionId = this.#sessionId;
    return {
      id: sessionId,
      connected: () => socket.connected,
      route: () => Promise.resolve(),
      open: async (since) => {
        await request(socket, 'research:open', { sessionId });
        return request(socket, 'research:board-open', { sessionId, since });
      },
      change: async (change) => void (await request(socket, 'research:board-change', { sessionId, change })),
      laser: (point) =>
        void request(socket, 'research:board-laser', { sessionId, point }).catch(() => undefined),
      listen(on) {
        const ops: ResearchServerToClient['research:board-ops'] = (p) =>
          p.sessionId === sessionId && on.ops(p.ops);
        const laser: ResearchServerToClient['research:board-laser'] = (p) =>
          p.sessionId === sessionId && on.laser(p.by, p.point);
        socket.on('research:board-ops', ops);
        socket.on('research:board-laser', laser);
        socket.on('connect', on.connect);
        return () => {
          socket.off('research:board-ops', ops);
          socket.off('research:board-laser', laser);
          socket.off('connect', on.connect);
        };
      },
      retryable: () => false,
    };
  }

  /** Leaves the session's media and closes the socket. */
  close(): void {
    for (const c of this.#consumers.values()) c.close();
    this.#consumers.clear();
    this.#recv?.close();
    this.#socket.close();
  }

  async #transportOptions(direction: 'send' | 'recv'): Promise<types.TransportOptions> {
    const params = await request(this.#socket, 'research:transport', {
      sessionId: this.#sessionId,
      direction,
    });
    return params as unknown as types.TransportOptions;
  }

  #connectOnDemand(transport: types.Transport): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(this.#socket, 'research:connect', {
        sessionId: this.#sessionId,
        transportId: transport.id,
        dtlsParameters: dtlsParameters,
      }).then(() => callback(), errback);
    });
  }

  /** Receives a producer; a failure is said (`trackfailed`), not thrown. */
  async #consumeOrSay(producerId: string): Promise<void> {
    await this.#consume(producerId).catch((error: unknown) =>
      this.emit('trackfailed', { message: error instanceof Error ? error.message : String(error) }),
    );
  }

  async #consume(producerId: string): Promise<void> {
    const transport = this.#recv;
    if (!transport || this.#consuming.has(producerId)) return;
    this.#consuming.add(producerId);
    try {
      const c = await request(this.#socket, 'research:consume', { sessionId: this.#sessionId, producerId });
      const consumer = await transport.consume({
        id: c.id,
        producerId: c.producerId,
        kind: c.kind,
        rtpParameters: c.rtpParameters as unknown as types.RtpParameters,
      });
      this.#consumers.set(consumer.id, consumer);
      consumer.on('trackended', () => this.#drop(consumer.id));
      await request(this.#socket, 'research:resume', { sessionId: this.#sessionId, consumerId: consumer.id });
      this.emit('track', {
        consumerId: consumer.id,
        userId: this.#peers.get(c.peerId) ?? '',
        kind: c.kind,
        track: consumer.track,
      });
    } finally {
      this.#consuming.delete(producerId);
    }
  }

  #drop(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    this.#consumers.delete(consumerId);
    consumer.close();
    this.emit('trackended', { consumerId });
  }
}

export type { ResearchPeer };
