import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureRtcsink } from '../../scripts/lib/rtcsink.mjs';

/** One received track's counters, as rtcsink reports them; times are Unix ms. */
export interface SinkTrack {
  mid: string;
  kind: 'audio' | 'video';
  ssrc: number;
  packets: number;
  /** RTP bytes (header and payload, after SRTP). */
  bytes: number;
  /** When its first RTP packet arrived (0: none yet). */
  firstPacketAt: number;
  /** Packets expected from the sequence numbers seen, and how many of them never arrived. */
  expected: number;
  lost: number;
  /** Video: key frames seen, the first one's arrival, and the last one's size (0 before any). */
  keyFrames: number;
  firstKeyFrameAt: number;
  width: number;
  height: number;
}

/** One peer connection (a classroom's receive transport) as rtcsink reports it. */
export interface SinkPeer {
  pc: string;
  /** RTCPeerConnectionState. */
  state: string;
  createdAt: number;
  /** When ICE, then the whole connection (DTLS included), first connected (0: not yet). */
  iceConnectedAt: number;
  connectedAt: number;
  tracks: SinkTrack[] | null;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The receiving half of the load client: the `rtcsink` process (Go, pion WebRTC; see
 * rtcsink/main.go), holding many classrooms' receive peer connections, driven over JSON lines.
 * Built with Go on first use (cached by its sources' hash).
 */
export class RtcSink {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exited: Error | null = null;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    createInterface({ input: child.stdout }).on('line', (line) => this.#onLine(line));
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[rtcsink] ${chunk.toString()}`));
    child.once('exit', (code, signal) => {
      this.#exited = new Error(`rtcsink exited with ${code ?? signal}`);
      for (const p of this.#pending.values()) p.reject(this.#exited);
      this.#pending.clear();
    });
  }

  /** Starts an rtcsink process (building it first if its sources changed). */
  static start(): RtcSink {
    const child = spawn(ensureRtcsink(), [], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env } });
    return new RtcSink(child);
  }

  /** The process id, for CPU readings. */
  get pid(): number {
    return this.#child.pid!;
  }

  /**
   * Applies a remote offer to peer connection `pc` (created on first use) and answers it;
   * resolves with the answer SDP, which `accept` then applies (until then the peer
   * connection takes no other offer).
   */
  async answer(pc: string, offer: string): Promise<string> {
    const { answer } = (await this.#call('answer', { pc, offer })) as { answer: string };
    return answer;
  }

  /** Applies the answer of the last `answer` on `pc`: ICE and DTLS start with the first one. */
  async accept(pc: string): Promise<void> {
    await this.#call('accept', { pc });
  }

  /** Every peer connection's state and counters. */
  async stats(): Promise<SinkPeer[]> {
    return (await this.#call('stats', {})) as SinkPeer[];
  }

  /** Closes one peer connection. */
  async closePeer(pc: string): Promise<void> {
    await this.#call('close', { pc });
  }

  /** Closes every peer connection and ends the process. */
  async quit(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.#call('quit', {}).catch(() => undefined);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  #call(method: string, params: unknown): Promise<unknown> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  #onLine(line: string): void {
    const message = JSON.parse(line) as { id: number; result?: unknown; error?: string };
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.error !== undefined) pending.reject(new Error(`rtcsink: ${message.error}`));
    else pending.resolve(message.result);
  }
}
