import fs from 'node:fs';
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

/** The video's picture at `seconds`, as RGB bytes. */
export function frameAt(file: string, seconds: number, width: number, height: number): Buffer {
  const res = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-ss', String(seconds), '-i', file],
      ...['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  if (res.status !== 0) throw new Error(res.stderr.toString());
  if (res.stdout.length !== width * height * 3)
    throw new Error(`a ${width}×${height} frame has ${width * height * 3} bytes, not ${res.stdout.length}`);
  return res.stdout;
}

/** The colour at (x, y) of an RGB picture `width` wide, named roughly. */
export function colourAt(rgb: Buffer, width: number, x: number, y: number): string {
  const at = (y * width + x) * 3;
  const [r, g, b] = [rgb[at]!, rgb[at + 1]!, rgb[at + 2]!];
  if (r > 200 && g > 200 && b > 200) return 'white';
  if (r > 150 && g < 100 && b < 100) return 'red';
  if (b > 150 && r < 100 && g < 100) return 'blue';
  if (g > 100 && r < 80 && b < 80) return 'green';
  if (r < 40 && g < 40 && b < 40) return 'black';
  return `rgb(${r},${g},${b})`;
}

/** Pids of the ffmpeg processes whose arguments name something starting with `prefix`, read from /proc. */
export function ffmpegPids(prefix: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string[];
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline[0]?.endsWith('ffmpeg') && cmdline.some((a) => a.startsWith(prefix))) pids.push(Number(entry));
  }
  return pids;
}

/** The pid of a recorder (ffmpeg) writing into `dir` (or a folder in it). */
export function recorderPid(dir: string): number | null {
  return ffmpegPids(`${dir}/`)[0] ?? null;
}
