import { spawn } from 'node:child_process';
import type { types } from 'mediasoup';
import { killPid, onExit, waitForExit } from './reaper.ts';

/** What the synthetic sender produces; the same for every run. */
export interface SourceSettings {
  /** Video frame size, `WxH`. @default '1280x720' */
  size: string;
  /** Frames per second. @default 25 */
  fps: number;
  /** VP8 target bitrate, kbit/s (CBR). @default 1200 */
  videoKbps: number;
  /** Opus bitrate, kbit/s. @default 64 */
  audioKbps: number;
  /** Keyframe interval, frames (consumers start forwarding video at a keyframe). @default 50 */
  gop: number;
}

/** Default source: 720p25 VP8 at 1.2 Mbit/s plus stereo Opus, cheap to encode. */
export const DEFAULT_SOURCE: Readonly<SourceSettings> = Object.freeze({
  size: '1280x720',
  fps: 25,
  videoKbps: 1200,
  audioKbps: 64,
  gop: 50,
});

const VIDEO = { payloadType: 101, ssrc: 22222222 } as const;
const AUDIO = { payloadType: 100, ssrc: 11111111 } as const;

/** RTP parameters of the producers, matching the payload types and SSRCs ffmpeg is told to use. */
export function sourceRtpParameters(): { video: types.RtpParameters; audio: types.RtpParameters } {
  return {
    video: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO.payloadType, clockRate: 90000 }],
      encodings: [{ ssrc: VIDEO.ssrc }],
    },
    audio: {
      codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO.payloadType, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: AUDIO.ssrc }],
    },
  };
}

/** RTP and RTCP ports of one ingest plain transport (comedia, no rtcp-mux) on 127.0.0.1. */
export interface IngestPorts {
  port: number;
  rtcpPort: number;
}

/** A running ffmpeg sender. */
export interface Source {
  /** Rejects if ffmpeg exits before `stop()` (its stderr in the message). */
  readonly failed: Promise<never>;
  /** Stops ffmpeg and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts ffmpeg sending testsrc2 as VP8 and a sine as Opus, each as RTP to its own ingest
 * transport (comedia locks each transport onto one source address, and ffmpeg sends each
 * RTP output from its own socket). ffmpeg sends RTCP from a separate socket, and first,
 * hence `?rtcpport=` and transports without rtcp-mux. The inputs end by themselves after
 * `maxSeconds`, so a sender left behind cannot run for long.
 */
export function startSource(
  video: IngestPorts,
  audio: IngestPorts,
  maxSeconds: number,
  settings: SourceSettings = DEFAULT_SOURCE,
): Source {
  const rtp = (p: IngestPorts): string => `rtp://127.0.0.1:${p.port}?rtcpport=${p.rtcpPort}&pkt_size=1200`;
  const kbps = `${settings.videoKbps}k`;
  // prettier-ignore
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-re', '-f', 'lavfi', '-i', `testsrc2=size=${settings.size}:rate=${settings.fps}:duration=${maxSeconds}`,
    '-re', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${maxSeconds}`,
    '-map', '0:v', '-c:v', 'libvpx', '-b:v', kbps, '-minrate', kbps, '-maxrate', kbps,
    '-deadline', 'realtime', '-cpu-used', '8', '-g', String(settings.gop), '-threads', '1',
    '-payload_type', String(VIDEO.payloadType), '-ssrc', String(VIDEO.ssrc), '-f', 'rtp', rtp(video),
    '-map', '1:a', '-c:a', 'libopus', '-b:a', `${settings.audioKbps}k`, '-ac', '2',
    '-payload_type', String(AUDIO.payloadType), '-ssrc', String(AUDIO.ssrc), '-f', 'rtp', rtp(audio),
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const pid = child.pid;
  const unregister = pid === undefined ? () => undefined : onExit(() => killPid(pid));
  let stderr = '';
  let stopping = false;
  child.stderr
    .setEncoding('utf8')
    .on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-2000)));
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const failed = new Promise<never>((_resolve, reject) => {
    const fail = (why: string): void => {
      if (!stopping) reject(new Error(`ffmpeg ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('close', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });
  // The caller races `failed` while the run lasts; a rejection nobody awaits is not an error.
  failed.catch(() => undefined);
  return {
    failed,
    async stop(): Promise<void> {
      stopping = true;
      child.kill('SIGTERM');
      if (pid !== undefined) await waitForExit([pid], 2000);
      await exited;
      unregister();
    },
  };
}
