import type { MessageKey } from '../i18n.ts';

/** What a classroom's browser measures of its own link, every couple of seconds. */
export interface LinkStats {
  /** Received media, kbit/s. */
  videoKbps: number;
  audioKbps: number;
  /** Audio packets received since the lesson was joined. */
  audioPackets: number;
  /** Sent media, kbit/s. */
  sendKbps: number;
  /** Packet loss of received media over the last interval, %. */
  lossPct: number;
  /** Round-trip time to the server, ms; null before ICE completes. */
  rttMs: number | null;
  /** Resolution of the received video (0 when none). */
  width: number;
  height: number;
  /** Milliseconds since media bytes last arrived. */
  silentMs: number;
}

export type LinkQuality = 'good' | 'constrained' | 'bad' | 'offline';

/**
 * Classifies a link as a teacher or a head teacher reads it: bad when media stalls or
 * loss/latency make speech hard to follow, constrained when video has to shrink.
 */
export function linkQuality(s: LinkStats | null, connected: boolean): LinkQuality {
  if (!connected || !s) return 'offline';
  if (s.silentMs > 4000) return 'bad';
  const graded = gradeLink(s.lossPct, s.rttMs);
  return graded === 'good' && s.videoKbps > 0 && s.videoKbps < 200 ? 'constrained' : graded;
}

/** Loss (%) and round-trip time (ms) alone: bad past 8 % or 400 ms, constrained past 2 % or 150 ms. */
function gradeLink(lossPct: number | null, rttMs: number | null): Exclude<LinkQuality, 'offline'> {
  if ((lossPct ?? 0) > 8 || (rttMs ?? 0) > 400) return 'bad';
  if ((lossPct ?? 0) > 2 || (rttMs ?? 0) > 150) return 'constrained';
  return 'good';
}

/** The teacher camera layer a classroom is sent, as the SFU reports it (see PeerHealth). */
export interface ServedLayer {
  /** Forwarded now (0 = lowest); null while video is paused for want of bandwidth. */
  current: number | null;
  layers: number;
}

/**
 * What the layer says of the link: bad when the SFU had to pause the teacher's video (sound
 * and the board go on), constrained when it sends less than the top layer.
 */
function gradeLayer(layer: ServedLayer | null | undefined): Exclude<LinkQuality, 'offline'> {
  if (!layer) return 'good';
  if (layer.current === null) return 'bad';
  return layer.current < layer.layers - 1 ? 'constrained' : 'good';
}

const RANK: Record<LinkQuality, number> = { good: 0, constrained: 1, bad: 2, offline: 3 };

/** The worse of two grades. */
export function worse(a: LinkQuality, b: LinkQuality): LinkQuality {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * A participant's link as the server measures it (the teacher's grid), by the same thresholds,
 * and by the teacher camera layer the SFU can send it.
 */
export function peerQuality(
  h: {
    connection: string;
    lossPct: number | null;
    rttMs: number | null;
    cameraLayer?: ServedLayer | null;
  } | null,
): LinkQuality {
  if (!h || h.connection !== 'connected')
    return h && ['failed', 'closed', 'disconnected'].includes(h.connection) ? 'bad' : 'offline';
  return worse(gradeLink(h.lossPct, h.rttMs), gradeLayer(h.cameraLayer));
}

/** The message naming the layer as people name video quality (高清 / 标清 / 流畅, 仅声音 while paused). */
export function layerLabel(layer: ServedLayer | null | undefined): MessageKey | null {
  if (!layer) return null;
  if (layer.current === null) return 'layerPaused';
  const fromTop = layer.layers - 1 - layer.current;
  return fromTop === 0 ? 'layerHigh' : fromTop === 1 ? 'layerMid' : 'layerLow';
}

interface Counters {
  at: number;
  videoBytes: number;
  audioBytes: number;
  sentBytes: number;
  packets: number;
  lost: number;
  lastBytesAt: number;
}

/**
 * Turns successive WebRTC stats reports (receive and send transports) into rates.
 * Keep one per lesson join.
 */
export class LinkStatsMeter {
  #prev: Counters | null = null;

  update(recv: RTCStatsReport | null, send: RTCStatsReport | null, now = performance.now()): LinkStats {
    let videoBytes = 0;
    let audioBytes = 0;
    let audioPackets = 0;
    let packets = 0;
    let lost = 0;
    let width = 0;
    let height = 0;
    let rttMs: number | null = null;
    recv?.forEach((r: Record<string, unknown>) => {
      if (r['type'] === 'inbound-rtp') {
        const bytes = Number(r['bytesReceived'] ?? 0);
        const received = Number(r['packetsReceived'] ?? 0);
        packets += received;
        lost += Math.max(0, Number(r['packetsLost'] ?? 0));
        if (r['kind'] === 'video') {
          videoBytes += bytes;
          width = Math.max(width, Number(r['frameWidth'] ?? 0));
          height = Math.max(height, Number(r['frameHeight'] ?? 0));
        } else {
          audioBytes += bytes;
          audioPackets += received;
        }
      }
      if (
        r['type'] === 'candidate-pair' &&
        r['state'] === 'succeeded' &&
        typeof r['currentRoundTripTime'] === 'number'
      ) {
        rttMs = Math.round(r['currentRoundTripTime'] * 1000);
      }
    });
    let sentBytes = 0;
    send?.forEach((r: Record<string, unknown>) => {
      if (r['type'] === 'outbound-rtp') sentBytes += Number(r['bytesSent'] ?? 0);
      if (
        rttMs === null &&
        r['type'] === 'candidate-pair' &&
        r['state'] === 'succeeded' &&
        typeof r['currentRoundTripTime'] === 'number'
      ) {
        rttMs = Math.round(r['currentRoundTripTime'] * 1000);
      }
    });
    const prev = this.#prev;
    const seconds = prev ? Math.max(0.001, (now - prev.at) / 1000) : 1;
    const rate = (bytes: number, before: number | undefined): number =>
      prev ? Math.max(0, Math.round(((bytes - (before ?? 0)) * 8) / 1000 / seconds)) : 0;
    const dPackets = packets - (prev?.packets ?? 0);
    const dLost = lost - (prev?.lost ?? 0);
    const gotBytes = !prev || videoBytes + audioBytes > prev.videoBytes + prev.audioBytes;
    const lastBytesAt = gotBytes ? now : prev.lastBytesAt;
    this.#prev = { at: now, videoBytes, audioBytes, sentBytes, packets, lost, lastBytesAt };
    return {
      videoKbps: rate(videoBytes, prev?.videoBytes),
      audioKbps: rate(audioBytes, prev?.audioBytes),
      audioPackets,
      sendKbps: rate(sentBytes, prev?.sentBytes),
      lossPct: dPackets + dLost > 0 ? Math.round((1000 * Math.max(0, dLost)) / (dPackets + dLost)) / 10 : 0,
      rttMs,
      width,
      height,
      silentMs: Math.round(now - lastBytesAt),
    };
  }
}
