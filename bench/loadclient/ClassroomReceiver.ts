import { RemoteSdp } from 'mediasoup-client/handlers/sdp/RemoteSdp';
import { generateProbatorRtpParameters } from 'mediasoup-client/ortc';
import type { types } from 'mediasoup-client';
import type { ConsumerOptions, ProducerInfo } from '../../server/contract/events.ts';
import type { RtcSink, SinkPeer } from './RtcSink.ts';
import { connectSocket, request } from './signaling.ts';
import type { LoadSocket } from './signaling.ts';

/** When each step of a classroom's join finished, Unix ms (0: not yet). */
export interface JoinTimeline {
  /** The join began (socket opening, unless it was open already). */
  startedAt: number;
  /** Socket connected. */
  connectedAt: number;
  /** `lesson:join` acknowledged. */
  joinedAt: number;
  /** First consumers created and the receive transport's DTLS parameters acknowledged. */
  signaledAt: number;
  /** ICE, then DTLS (the peer connection) connected, as rtcsink saw them. */
  iceAt: number;
  dtlsAt: number;
  /** First RTP of the teacher's camera and microphone, first key frame of the camera. */
  firstVideoAt: number;
  firstAudioAt: number;
  firstKeyFrameAt: number;
}

/** A classroom's receive figures at one moment (counters since the join). */
export interface ReceiverSnapshot {
  seat: string;
  username: string;
  peerId: string | null;
  state: string;
  timeline: JoinTimeline;
  video: { packets: number; bytes: number; expected: number; lost: number; width: number; height: number };
  audio: { packets: number; bytes: number; expected: number; lost: number };
}

/**
 * One classroom of the load client: joins a live lesson through the platform's own signaling
 * as a kiosk does (lesson:join, a receive transport, consume, DTLS parameters, resume), and
 * receives the teacher's camera and microphone into rtcsink, which counts them undecoded.
 * The SDP is mediasoup-client's own (`RemoteSdp`, what its browser handlers offer their
 * RTCPeerConnection), answered by a pion peer connection in rtcsink.
 */
export class ClassroomReceiver {
  readonly seat: string;
  readonly username: string;
  readonly #sink: RtcSink;
  readonly #timeline: JoinTimeline = {
    startedAt: 0,
    connectedAt: 0,
    joinedAt: 0,
    signaledAt: 0,
    iceAt: 0,
    dtlsAt: 0,
    firstVideoAt: 0,
    firstAudioAt: 0,
    firstKeyFrameAt: 0,
  };
  #socket: LoadSocket | null = null;
  #lessonId: string | null = null;
  #peerId: string | null = null;
  #sdp: RemoteSdp | null = null;
  #transportId: string | null = null;
  #connected = false;
  /** Whether the receive transport has its "probator" section (the SFU's bandwidth probes). */
  #probator = false;
  /** Consumers by mid, and the producers consumed. */
  readonly #mids = new Map<string, ConsumerOptions>();
  readonly #producers = new Set<string>();
  /** Producers announced before the receive transport existed. */
  readonly #announced: ProducerInfo[] = [];
  /** One offer/answer at a time. */
  #queue: Promise<void> = Promise.resolve();

  /**
   * @param seat a name for this classroom in the load (also its peer connection's id in rtcsink)
   * @param username the classroom account it signs in as (several seats may share one)
   */
  constructor(sink: RtcSink, seat: string, username: string) {
    this.#sink = sink;
    this.seat = seat;
    this.username = username;
  }

  /** The lesson's media peer id of this classroom, once joined. */
  get peerId(): string | null {
    return this.#peerId;
  }

  /** Opens the signaling socket, as a kiosk does when its page loads (before its lesson goes live). */
  async connect(url: string, token: string, lessonId: string): Promise<void> {
    this.#lessonId = lessonId;
    const socket = await connectSocket(url, token, lessonId);
    this.#socket = socket;
    this.#timeline.connectedAt = Date.now();
    socket.on('producer:new', (p) => {
      if (p.kind !== 'audio' && p.kind !== 'video') return;
      if (!this.#sdp) this.#announced.push(p);
      else this.#enqueue([p.producerId]);
    });
  }

  /** Resolves with when (Unix ms) the server tells this classroom that its lesson went live. */
  untilLive(): Promise<number> {
    const socket = this.#socket;
    if (!socket) return Promise.reject(new Error('connect first'));
    return new Promise((resolve) => {
      const onState = ({ lessonId, state }: { lessonId: string; state: string }): void => {
        if (lessonId !== this.#lessonId || state !== 'live') return;
        socket.off('lesson:state', onState);
        resolve(Date.now());
      };
      socket.on('lesson:state', onState);
    });
  }

  /**
   * Joins the live lesson (connecting first unless `connect` did) and starts receiving what it
   * offers; resolves once the consumers of what it offered at the join are resumed.
   */
  async join(
    url: string,
    token: string,
    lessonId: string,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<void> {
    this.#timeline.startedAt = Date.now();
    if (!this.#socket) await this.connect(url, token, lessonId);
    const socket = this.#socket!;
    const joined = await request(socket, 'lesson:join', {
      lessonId,
      rtpCapabilities: rtpCapabilities,
    });
    this.#peerId = joined.peerId;
    this.#timeline.joinedAt = Date.now();
    const transport = await request(socket, 'transport:create', { lessonId, direction: 'recv' });
    this.#transportId = transport.id;
    this.#sdp = new RemoteSdp({
      iceParameters: transport.iceParameters as unknown as types.IceParameters,
      iceCandidates: transport.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: transport.dtlsParameters as unknown as types.DtlsParameters,
    });
    const producers = [...joined.producers, ...this.#announced.splice(0)].map((p) => p.producerId);
    this.#enqueue(producers);
    await this.#queue;
  }

  /** Leaves the lesson and closes its peer connection. */
  async leave(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    if (socket?.connected && this.#lessonId)
      await request(socket, 'lesson:leave', { lessonId: this.#lessonId }, 5000).catch(() => undefined);
    socket?.close();
    await this.#sink.closePeer(this.seat).catch(() => undefined);
  }

  /** This classroom's figures, from a reading of every peer connection of rtcsink. */
  snapshot(peers: ReadonlyMap<string, SinkPeer>): ReceiverSnapshot {
    const peer = peers.get(this.seat);
    const video = { packets: 0, bytes: 0, expected: 0, lost: 0, width: 0, height: 0 };
    const audio = { packets: 0, bytes: 0, expected: 0, lost: 0 };
    const t = this.#timeline;
    if (peer) {
      t.iceAt ||= peer.iceConnectedAt;
      t.dtlsAt ||= peer.connectedAt;
      for (const track of peer.tracks ?? []) {
        const consumer = this.#mids.get(track.mid);
        if (!consumer) continue;
        const into = consumer.kind === 'video' ? video : audio;
        into.packets += track.packets;
        into.bytes += track.bytes;
        into.expected += track.expected;
        into.lost += track.lost;
        if (consumer.kind === 'video') {
          if (track.firstPacketAt) t.firstVideoAt = minSet(t.firstVideoAt, track.firstPacketAt);
          if (track.firstKeyFrameAt) t.firstKeyFrameAt = minSet(t.firstKeyFrameAt, track.firstKeyFrameAt);
          if (track.width) Object.assign(video, { width: track.width, height: track.height });
        } else if (track.firstPacketAt) t.firstAudioAt = minSet(t.firstAudioAt, track.firstPacketAt);
      }
    }
    return {
      seat: this.seat,
      username: this.username,
      peerId: this.#peerId,
      state: peer?.state ?? 'none',
      timeline: { ...t },
      video,
      audio,
    };
  }

  #enqueue(producerIds: string[]): void {
    const next = this.#queue.then(() => this.#consume(producerIds));
    // A failed negotiation is reported by join() (the first) or shows as a classroom without media.
    this.#queue = next.catch((error: unknown) => {
      process.stderr.write(`[${this.seat}] ${error instanceof Error ? error.message : String(error)}\n`);
    });
  }

  async #consume(producerIds: string[]): Promise<void> {
    const socket = this.#socket;
    const lessonId = this.#lessonId;
    const sdp = this.#sdp;
    if (!socket || !lessonId || !sdp) return;
    const created: ConsumerOptions[] = [];
    for (const producerId of producerIds) {
      if (this.#producers.has(producerId)) continue;
      this.#producers.add(producerId);
      const consumer = await request(socket, 'consume', { lessonId, producerId });
      const rtpParameters = consumer.rtpParameters as unknown as types.RtpParameters;
      const mid = rtpParameters.mid ?? String(this.#mids.size);
      this.#mids.set(mid, consumer);
      sdp.receive({
        mid,
        kind: consumer.kind,
        offerRtpParameters: rtpParameters,
        streamId: rtpParameters.rtcp?.cname ?? '-',
        trackId: consumer.id,
      });
      created.push(consumer);
    }
    if (created.length === 0) return;
    // As mediasoup-client's Transport: with the first video consumer, a section for the SFU's
    // probation packets (SSRC 1234, mid "probator"), so that they are received and acknowledged
    // in the transport-wide feedback; without it the SFU's bandwidth probes go unanswered and
    // its estimate of the link, hence the layer it sends, grows only with the media.
    const video = created.find((c) => c.kind === 'video');
    if (video && !this.#probator) {
      this.#probator = true;
      sdp.receive({
        mid: 'probator',
        kind: 'video',
        offerRtpParameters: generateProbatorRtpParameters(
          video.rtpParameters as unknown as types.RtpParameters,
        ),
        streamId: 'probator',
        trackId: 'probator',
      });
    }
    const answer = await this.#sink.answer(this.seat, sdp.getSdp());
    try {
      if (!this.#connected) {
        // As mediasoup-client: the SFU learns our DTLS parameters (we are the DTLS client)
        // before the answer is applied and the handshake starts.
        await request(socket, 'transport:connect', {
          lessonId,
          transportId: this.#transportId!,
          dtlsParameters: { role: 'client', fingerprints: fingerprints(answer) },
        });
        sdp.updateDtlsRole('server');
        this.#connected = true;
        this.#timeline.signaledAt = Date.now();
      }
    } finally {
      await this.#sink.accept(this.seat);
    }
    for (const consumer of created)
      await request(socket, 'consumer:resume', { lessonId, consumerId: consumer.id });
  }
}

/** The DTLS fingerprints of an SDP (`a=fingerprint:<algorithm> <value>`). */
function fingerprints(sdp: string): { algorithm: string; value: string }[] {
  const found = [...sdp.matchAll(/^a=fingerprint:(\S+) (\S+)\s*$/gm)].map((m) => ({
    algorithm: m[1]!.toLowerCase(),
    value: m[2]!,
  }));
  if (found.length === 0) throw new Error('the answer has no DTLS fingerprint');
  return found;
}

function minSet(current: number, candidate: number): number {
  return current === 0 ? candidate : Math.min(current, candidate);
}
