import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { TypedEmitter } from '../TypedEmitter.ts';
import { recorderSdp } from './sdp.ts';
import type { SdpStream } from './sdp.ts';

export interface RecorderProcessOptions {
  /** Folder the segments go to (created): `00000.mkv`, `00001.mkv`, … */
  dir: string;
  streams: readonly SdpStream[];
  /** Target length of a segment, s: at most this much (plus a key frame interval) is lost in a crash. @default 4 */
  segmentSeconds?: number;
  /** The ffmpeg binary. @default 'ffmpeg' */
  ffmpegPath?: string;
  /** How long to wait for ffmpeg to listen on every port, ms. @default 5000 */
  readyTimeoutMs?: number;
  /** ffmpeg's log level (its last words are reported when it dies). @default 'warning' */
  logLevel?: string;
}

export interface RecorderProcessEvents extends Record<string, unknown[]> {
  /** ffmpeg exited; `requested` when `stop()` asked it to, else it died. `stderr`: its last words. */
  exit: [{ code: number | null; signal: NodeJS.Signals | null; requested: boolean; stderr: string }];
}

/**
 * One ffmpeg process writing RTP streams to disk as they arrive, without decoding them:
 * `-c copy` into Matroska segments of a few seconds (the segment muxer cuts at key
 * frames), so a crash loses at most the segment being written. It reads its session
 * description from stdin and listens on one UDP port per stream.
 */
export class RecorderProcess extends TypedEmitter<RecorderProcessEvents> {
  readonly dir: string;
  readonly #child: ChildProcess;
  #stopping = false;
  #exited: Promise<void>;
  #stderr = '';

  private constructor(child: ChildProcess, dir: string) {
    super();
    this.dir = dir;
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-2000);
    });
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.safeEmit('exit', { code, signal, requested: this.#stopping, stderr: this.#stderr.trim() });
        resolve();
      }),
    );
  }

  /** Starts ffmpeg and resolves once it listens on every stream's port (so no first packets are lost). */
  static async start({
    dir,
    streams,
    segmentSeconds = 4,
    ffmpegPath = 'ffmpeg',
    readyTimeoutMs = 5000,
    logLevel = 'warning',
  }: RecorderProcessOptions): Promise<RecorderProcess> {
    if (streams.length === 0) throw new TypeError('a recorder needs at least one stream');
    await fs.promises.mkdir(dir, { recursive: true });
    const child = spawn(
      ffmpegPath,
      [
        '-hide_banner',
        '-nostats',
        '-loglevel',
        logLevel,
        '-protocol_whitelist',
        'pipe,udp,rtp',
        // Wait for the first key frame (its picture size is needed) for up to 15 s.
        '-analyzeduration',
        '15000000',
        '-reorder_queue_size',
        '64',
        '-f',
        'sdp',
        '-i',
        'pipe:0',
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'segment',
        '-segment_time',
        String(segmentSeconds),
        '-segment_format',
        'matroska',
        // Each packet reaches the file as it comes, in clusters of at most half a second: a
        // recorder that ends without its trailer (killed, or stopped while no media came)
        // loses at most that, not its whole segment (the muxer holds a cluster until closed).
        '-segment_format_options',
        'flush_packets=1:cluster_time_limit=500',
        `${dir}/%05d.mkv`,
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const recorder = new RecorderProcess(child, dir);
    child.stdin?.end(recorderSdp(streams));
    const ready = await waitListening(
      streams.map((s) => s.port),
      readyTimeoutMs,
      () => child.exitCode !== null || child.signalCode !== null,
    );
    if (!ready) {
      await recorder.stop();
      throw new Error(`ffmpeg did not listen on ports ${streams.map((s) => s.port).join(', ')}`);
    }
    return recorder;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether ffmpeg still runs. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Asks ffmpeg to finish its segment and exit (SIGINT). ffmpeg notices the signal only
   * when its next packet arrives; when none has come within `wakeMs` (the media is gone, as
   * when the lesson ends), a second SIGINT interrupts its wait at once (its segment's
   * trailer is not written: the packets flushed so far stay readable). It is killed after
   * `graceMs`.
   */
  async stop({ wakeMs = 1000, graceMs = 5000 }: { wakeMs?: number; graceMs?: number } = {}): Promise<void> {
    this.#stopping = true;
    if (!this.running) return this.#exited;
    this.#child.kill('SIGINT');
    const wake = setTimeout(() => this.#child.kill('SIGINT'), wakeMs);
    const kill = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(wake);
    clearTimeout(kill);
  }
}

/** Whether something binds `port` on loopback now (a bind of our own fails with EADDRINUSE). */
async function inUse(port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(true);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
  });
}

async function waitListening(ports: number[], timeoutMs: number, gone: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone()) {
    if ((await Promise.all(ports.map(inUse))).every(Boolean)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/**
 * A UDP port on loopback that is free now, and whose next port is too (ffmpeg's RTP input
 * also binds port + 1 for RTCP). Ports come from `range`, tried from a random start.
 */
export async function freeRecorderPort(
  range: { min: number; max: number } = { min: 30000, max: 34999 },
  taken: ReadonlySet<number> = new Set(),
): Promise<number> {
  const span = Math.floor((range.max - range.min) / 2);
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = range.min + ((start + i) % span) * 2;
    if (taken.has(port) || taken.has(port + 1)) continue;
    if (!(await inUse(port)) && !(await inUse(port + 1))) return port;
  }
  throw new Error(`no free UDP port pair in ${range.min}-${range.max}`);
}
