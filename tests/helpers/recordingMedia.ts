import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** RTP parameters matching what `sendTestAudio` sends. */
export const TEST_AUDIO_RTP = Object.freeze({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 11111111 }],
});

/**
 * Sends a synthetic Opus stream (a sine tone of `hz`) as RTP to a local plain transport
 * (RTCP from ffmpeg's own socket, hence a separate RTCP port).
 */
export function sendTestAudio(port: number, rtcpPort: number, seconds = 30, hz = 440): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi'],
      ...['-i', `sine=frequency=${hz}:sample_rate=48000:duration=${seconds}`],
      ...['-ac', '2', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip'],
      ...['-payload_type', '100', '-ssrc', '11111111', '-f', 'rtp'],
      `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
}

/** What ffprobe says of a media file: its duration (s) and its streams' codecs. */
export function probe(file: string): {
  duration: number;
  streams: { codec_type: string; codec_name: string; nb_read_frames?: string }[];
  chapters: { start_time: string; tags?: { title?: string } }[];
} {
  const res = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_format', '-show_streams', '-show_chapters', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`ffprobe failed on ${file}: ${res.stderr}`);
  const json = JSON.parse(res.stdout) as {
    format: { duration: string };
    streams: { codec_type: string; codec_name: string }[];
    chapters?: { start_time: string; tags?: { title?: string } }[];
  };
  return { duration: Number(json.format.duration), streams: json.streams, chapters: json.chapters ?? [] };
}

/**
 * Sends a synthetic VP8 stream like `sendTestVideo` (same RTP parameters), with a key frame
 * every second: ffmpeg ignores key frame requests, so a recorder starting mid-stream waits
 * for the next one.
 */
export function sendKeyedTestVideo(port: number, rtcpPort: number, seconds = 30): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi'],
      ...['-i', `testsrc2=size=320x240:rate=15:duration=${seconds}`],
      ...['-c:v', 'libvpx', '-b:v', '300k', '-g', '15', '-deadline', 'realtime', '-cpu-used', '8', '-an'],
      ...['-payload_type', '101', '-ssrc', '22222222', '-f', 'rtp'],
      `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
}
