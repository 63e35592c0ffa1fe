import type { types } from 'mediasoup';
import { InvalidStateError, NotFoundError } from './errors.ts';

/**
 * Who a peer is in a lesson. An `observer` (巡课: an inspector, a bureau or a coordinator
 * looking in) receives what the teacher receives and sends nothing; it is not a participant:
 * not announced, not listed, not in the lesson's health or attendance.
 */
export type PeerRole = ParticipantRole | 'observer';

/** Who takes part in a lesson: is listed, announced and counted. */
export type ParticipantRole = 'teacher' | 'classroom';

/** What a producer carries. */
export type MediaSource = 'camera' | 'mic' | 'screen';

export interface PeerInfo {
  peerId: string;
  role: PeerRole;
  /** Classroom id for classrooms, user id for the teacher and for an observer. */
  refId: string;
  displayName: string;
  /** What the peer's link can take for this lesson, kbit/s; absent: no limit. */
  downlinkKbps?: number;
}

/** A peer that takes part in the lesson (any peer but an observer). */
export type ParticipantInfo = PeerInfo & { role: ParticipantRole };

/** Whether the peer takes part in the lesson (is not an observer). */
export function isParticipant(info: PeerInfo): info is ParticipantInfo {
  return info.role !== 'observer';
}

export interface ProducerInfo {
  producerId: string;
  peerId: string;
  kind: types.MediaKind;
  source: MediaSource;
  /** For a copy piped in from another room of the lesson: the original producer's id. */
  pipedFrom?: string;
}

export interface ProducerAppData extends types.AppData {
  peerId: string;
  source: MediaSource;
  /** Set on a copy piped in from another room: the original producer's id. */
  pipedFrom?: string;
}

/**
 * One participant's media in a lesson: its WebRTC transports and the producers and
 * consumers on them. Closing a peer closes its transports, which closes their producers
 * and consumers (mediasoup's own cascade).
 */
export class Peer {
  readonly info: PeerInfo;
  readonly rtpCapabilities: types.RtpCapabilities;
  readonly transports = new Map<string, types.Transport>();
  readonly producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly consumers = new Map<string, types.Consumer>();
  #closed = false;

  constructor(info: PeerInfo, rtpCapabilities: types.RtpCapabilities) {
    this.info = Object.freeze({ ...info });
    this.rtpCapabilities = rtpCapabilities;
  }

  get id(): string {
    return this.info.peerId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  transport(transportId: string): types.Transport {
    this.assertOpen();
    const transport = this.transports.get(transportId);
    if (!transport) throw new NotFoundError(`transport ${transportId} not found`);
    return transport;
  }

  /** The transport this peer receives on: its WebRTC `recv` transport, else a plain one. */
  recvTransport(): types.Transport | undefined {
    const recv = [...this.transports.values()].filter((t) => t.appData['direction'] === 'recv');
    return recv.find((t) => t.type === 'webrtc') ?? recv[0];
  }

  producerBySource(source: MediaSource): types.Producer<ProducerAppData> | undefined {
    for (const p of this.producers.values()) if (p.appData.source === source) return p;
    return undefined;
  }

  assertOpen(): void {
    if (this.#closed) throw new InvalidStateError(`peer ${this.id} has left`);
  }

  /** Closes the peer's transports (and with them its producers and consumers). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
