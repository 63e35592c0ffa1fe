import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';

/** RTP parameters matching what `sendTestVideo` sends. */
export const TEST_VIDEO_RTP = Object.freeze({
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc: 22222222 }],
});

/**
 * Sends a synthetic VP8 stream (ffmpeg testsrc2, 320x240, 15 fps) as RTP to a local
 * plain transport. ffmpeg sends RTCP from its own socket, hence a separate RTCP port. ffmpeg
 * ignores key frame requests: `keyFrameEvery` (frames; libvpx's default: 128) bounds how long
 * a consumer resumed mid-stream waits for one.
 */
export function sendTestVideo(
  port: number,
  rtcpPort: number,
  seconds = 30,
  keyFrameEvery = 128,
): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=320x240:rate=15:duration=${seconds}`,
      '-c:v',
      'libvpx',
      '-b:v',
      '300k',
      '-g',
      String(keyFrameEvery),
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-an',
      '-payload_type',
      '101',
      '-ssrc',
      '22222222',
      '-f',
      'rtp',
      `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
}

/** A UDP socket on loopback that counts what arrives. */
export async function udpSink(): Promise<{ port: number; packets: () => number; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  let packets = 0;
  socket.on('message', () => void packets++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, packets: () => packets, close: () => socket.close() };
}

/** Polls `check` until it is true or `timeoutMs` passes; returns the last result. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  stepMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
