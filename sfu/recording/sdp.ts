import type { types } from 'mediasoup';

/** One RTP stream a recorder receives: what a consumer sends and the local port it arrives on. */
export interface SdpStream {
  kind: types.MediaKind;
  /** The consumer's RTP parameters (its single codec and encoding). */
  rtpParameters: types.RtpParameters;
  /** UDP port the recorder listens on for this stream (RTP and, muxed, RTCP). */
  port: number;
}

/**
 * The session description a recorder (ffmpeg's `sdp` demuxer) reads: one `m=` line per
 * stream, each on its own port, with RTCP muxed on the RTP port (`a=rtcp-mux`) as the
 * plain transports send it; the sender reports (RTCP SR) in it let ffmpeg align the streams
 * of one session (the teacher's camera and voice).
 */
export function recorderSdp(streams: readonly SdpStream[], ip = '127.0.0.1'): string {
  const lines = ['v=0', `o=- 0 0 IN IP4 ${ip}`, 's=lesson recording', `c=IN IP4 ${ip}`, 't=0 0'];
  for (const { kind, rtpParameters, port } of streams) {
    const codec = rtpParameters.codecs[0];
    if (!codec) throw new TypeError('a recorded stream needs a codec');
    const pt = codec.payloadType;
    const [, name] = codec.mimeType.split('/');
    lines.push(`m=${kind} ${port} RTP/AVP ${pt}`);
    const channels = kind === 'audio' ? `/${codec.channels ?? 2}` : '';
    lines.push(`a=rtpmap:${pt} ${name}/${codec.clockRate}${channels}`);
    const fmtp = Object.entries((codec.parameters ?? {}) as Record<string, unknown>)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(';');
    if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
    lines.push('a=rtcp-mux', 'a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
