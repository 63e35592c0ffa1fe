import dgram from 'node:dgram';

/** What one sink has received so far. */
export interface SinkCounts {
  /** RTP packets per payload type (index 0–127). */
  packetsByPt: Uint32Array;
  /** RTP bytes (header and payload, as received in UDP datagrams), all payload types. */
  rtpBytes: number;
  /** RTCP packets (sender reports from mediasoup). */
  rtcpPackets: number;
}

/**
 * A receiver's end: a UDP socket on loopback that a plain transport consumer sends to (RTP and
 * RTCP multiplexed). It only counts, by payload type, so that counting costs next to nothing.
 */
export class RtpSink {
  readonly port: number;
  readonly #socket: dgram.Socket;
  readonly #packetsByPt = new Uint32Array(128);
  #rtpBytes = 0;
  #rtcpPackets = 0;

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
    this.port = socket.address().port;
    socket.on('message', (msg) => this.#count(msg));
  }

  /** Opens a sink on an ephemeral port of 127.0.0.1. */
  static async open(): Promise<RtpSink> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpSink(socket);
  }

  /** A copy of the counters, to diff two snapshots. */
  snapshot(): SinkCounts {
    return {
      packetsByPt: this.#packetsByPt.slice(),
      rtpBytes: this.#rtpBytes,
      rtcpPackets: this.#rtcpPackets,
    };
  }

  close(): void {
    this.#socket.close();
  }

  #count(msg: Buffer): void {
    const second = msg[1];
    if (msg.length < 12 || second === undefined) return;
    // RFC 5761: with rtcp-mux, packet types 192–223 in the second byte are RTCP.
    if (second >= 192 && second <= 223) {
      this.#rtcpPackets++;
      return;
    }
    const pt = second & 0x7f;
    this.#packetsByPt[pt] = (this.#packetsByPt[pt] ?? 0) + 1;
    this.#rtpBytes += msg.length;
  }
}

/** Counts received between two snapshots of one sink. */
export function diffCounts(before: SinkCounts, after: SinkCounts): SinkCounts {
  return {
    packetsByPt: after.packetsByPt.map((n, pt) => n - (before.packetsByPt[pt] ?? 0)),
    rtpBytes: after.rtpBytes - before.rtpBytes,
    rtcpPackets: after.rtcpPackets - before.rtcpPackets,
  };
}
