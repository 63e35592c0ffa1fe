import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { WatchMode } from '../../../server/contract/inspection.ts';
import type { MediaSource, PeerInfo, ProducerInfo } from '../../../server/contract/events.ts';
import { api } from '../api.ts';
import { Emitter } from '../emitter.ts';
import { connectSignaling, refusedWith, request, routeTo } from '../signaling.ts';
import type { SignalingSocket } from '../signaling.ts';

export interface WatchedTrack {
  consumerId: string;
  peerId: string;
  /** Who sends it, as the lesson lists them. */
  peer: PeerInfo | undefined;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
}

export type WatchState = 'joining' | 'watching' | 'waiting' | 'ended' | 'failed';

export interface WatcherEvents extends Record<string, unknown[]> {
  state: [WatchState, string?];
  track: [WatchedTrack];
  trackended: [{ consumerId: string }];
  /** The lesson's participants changed (names for the tracks). */
  peers: [PeerInfo[]];
}

/** How long before a watcher that could not join (nobody in the media yet, a failover) tries again, ms. */
const RETRY_MS = 5000;

/**
 * Watches one live lesson receive-only (巡课) on a socket of its own, routed to the process
 * that hosts the lesson: a wall tile takes the teacher's camera alone (the server holds it to
 * the lowest layer), an opened lesson everything the teacher receives. Sends nothing.
 */
export class Watcher extends Emitter<WatcherEvents> {
  readonly lessonId: string;
  readonly mode: WatchMode;
  readonly #socket: SignalingSocket;
  #device: Device | null = null;
  #recv: types.Transport | null = null;
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #peers = new Map<string, PeerInfo>();
  #closed = false;
  #retry: number | undefined;
  #joining = false;

  constructor(lessonId: string, mode: WatchMode) {
    super();
    this.lessonId = lessonId;
    this.mode = mode;
    this.#socket = connectSignaling();
    const s = this.#socket;
    s.on('producer:new', (p) => void this.#consume(p));
    s.on('consumer:closed', ({ consumerId }) => this.#drop(consumerId));
    s.on('producer:closed', ({ producerId }) => {
      for (const c of this.#consumers.values()) if (c.producerId === producerId) this.#drop(c.id);
    });
    s.on('peer:joined', (p) => {
      this.#peers.set(p.peerId, p);
      this.emit('peers', [...this.#peers.values()]);
    });
    s.on('peer:left', ({ peerId }) => {
      this.#peers.delete(peerId);
      this.emit('peers', [...this.#peers.values()]);
    });
    s.on('lesson:media-reset', ({ lessonId }) => {
      if (lessonId === this.lessonId) void this.#join();
    });
    // A reconnected socket (a failover, the lease moved) joins again where the lesson is now.
    s.on('connect', () => {
      if (this.#device && !this.#joining) void this.#join();
    });
    void this.#join();
  }

  /** The watcher's own socket (the lesson's board is read on it). */
  get socket(): SignalingSocket {
    return this.#socket;
  }

  /** The receive transport, for its statistics (what watching costs). */
  get transport(): types.Transport | null {
    return this.#recv;
  }

  /** Stops watching: the lesson's media lets go of this watcher at once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    window.clearTimeout(this.#retry);
    this.#teardown();
    if (this.#socket.connected)
      void request(this.#socket, 'watch:leave', { lessonId: this.lessonId })
        .catch(() => undefined)
        .finally(() => this.#socket.close());
    else this.#socket.close();
  }

  async #join(): Promise<void> {
    if (this.#closed) return;
    this.#joining = true;
    this.emit('state', 'joining');
    try {
      this.#teardown();
      await routeTo(this.#socket, this.lessonId);
      const { routerRtpCapabilities } = await api.get<{ routerRtpCapabilities: types.RtpCapabilities }>(
        `/api/inspection/lessons/${this.lessonId}/rtp-capabilities`,
      );
      const device = new Device();
      await device.load({ routerRtpCapabilities });
      this.#device = device;
      const joined = await request(this.#socket, 'watch:join', {
        lessonId: this.lessonId,
        rtpCapabilities: device.recvRtpCapabilities,
        mode: this.mode,
      });
      if (this.#closed) return;
      for (const p of joined.peers) this.#peers.set(p.peerId, p);
      this.emit('peers', [...this.#peers.values()]);
      const recv = device.createRecvTransport(joined.transport as unknown as types.TransportOptions);
      recv.on('connect', ({ dtlsParameters }, callback, errback) => {
        request(this.#socket, 'watch:connect', {
          lessonId: this.lessonId,
          transportId: recv.id,
          dtlsParameters,
        }).then(callback, errback);
      });
      recv.on('connectionstatechange', (state) => {
        if (state === 'failed' && !this.#closed) this.#later();
      });
      this.#recv = recv;
      for (const p of joined.producers) await this.#consume(p);
      this.emit('state', 'watching');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const ended = refusedWith(error, 'LESSON_NOT_LIVE');
      this.emit('state', ended ? 'ended' : 'waiting', message);
      if (!ended) this.#later();
    } finally {
      this.#joining = false;
    }
  }

  #later(): void {
    window.clearTimeout(this.#retry);
    this.#retry = window.setTimeout(() => void this.#join(), RETRY_MS);
  }

  /** A wall tile takes the teacher's camera only (the server refuses the rest too). */
  #wanted(p: ProducerInfo): boolean {
    return this.mode === 'full' || (p.source === 'camera' && this.#peers.get(p.peerId)?.role === 'teacher');
  }

  async #consume(p: ProducerInfo): Promise<void> {
    const recv = this.#recv;
    if (!recv || !this.#wanted(p) || [...this.#consumers.values()].some((c) => c.producerId === p.producerId))
      return;
    try {
      const options = await request(this.#socket, 'watch:consume', {
        lessonId: this.lessonId,
        producerId: p.producerId,
      });
      const consumer = await recv.consume({
        id: options.id,
        producerId: options.producerId,
        kind: options.kind,
        rtpParameters: options.rtpParameters as unknown as types.RtpParameters,
      });
      this.#consumers.set(consumer.id, consumer);
      await request(this.#socket, 'watch:resume', { lessonId: this.lessonId, consumerId: consumer.id });
      this.emit('track', {
        consumerId: consumer.id,
        peerId: options.peerId,
        peer: this.#peers.get(options.peerId),
        kind: options.kind,
        source: options.source,
        track: consumer.track,
      });
    } catch {
      // A producer that went away meanwhile: nothing to show.
    }
  }

  #drop(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    this.#consumers.delete(consumerId);
    consumer.close();
    this.emit('trackended', { consumerId });
  }

  #teardown(): void {
    for (const id of [...this.#consumers.keys()]) this.#drop(id);
    this.#recv?.close();
    this.#recv = null;
    this.#peers.clear();
  }
}
