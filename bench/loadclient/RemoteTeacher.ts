import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { PeerHealth } from '../../server/contract/events.ts';
import type { LayerSent } from './TeacherPublisher.ts';

const ENTRY = path.join(import.meta.dirname, 'teacherProcess.ts');

/** What the teacher process says once it publishes; times are Unix ms. */
export interface Publishing {
  lessonId: string;
  /** When it pressed start (0: the lesson was live already), began and finished publishing. */
  startedAt: number;
  publishedAt: number;
  readyAt: number;
}

/**
 * The load client's teacher (TeacherPublisher: wrtc, the product's simulcast settings) in a
 * process of its own (teacherProcess.ts), seen from the load client: when it publishes, the
 * lesson's link health it hears, what its encoder sends.
 */
export class RemoteTeacher {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly publishing: Publishing;
  /** The last link health of every participant, by peer id. */
  readonly health = new Map<string, PeerHealth>();
  /** What the encoder has sent per simulcast layer, at the last status. */
  layers: LayerSent[] = [];

  private constructor(child: ChildProcessByStdio<Writable, Readable, null>, publishing: Publishing) {
    this.#child = child;
    this.publishing = publishing;
  }

  /**
   * Starts the teacher process; resolves once it publishes (it starts the lesson if needed; with
   * `startLater`, it publishes before the lesson is live and starts it on `pressStart()`).
   */
  static async start(
    url: string,
    username: string,
    password: string,
    { timeoutMs = 60_000, startLater = false }: { timeoutMs?: number; startLater?: boolean } = {},
  ): Promise<RemoteTeacher> {
    const args = ['--import', 'tsx', ENTRY, url, username, password, ...(startLater ? ['start-later'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    let teacher: RemoteTeacher | null = null;
    return new Promise<RemoteTeacher>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the teacher did not publish within ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!teacher)
          reject(new Error(`the teacher process exited with ${code ?? signal} before publishing`));
      });
      lines.on('line', (line) => {
        const message = JSON.parse(line) as
          | ({ event: 'publishing' } & Publishing)
          | { event: 'started'; startedAt: number }
          | { event: 'status'; health: PeerHealth[]; layers: LayerSent[] };
        if (message.event === 'started') {
          if (teacher) {
            teacher.publishing.startedAt = message.startedAt;
            teacher.#onStarted?.(message.startedAt);
          }
        } else if (message.event === 'publishing') {
          clearTimeout(timer);
          const { lessonId, startedAt, publishedAt, readyAt } = message;
          teacher = new RemoteTeacher(child, { lessonId, startedAt, publishedAt, readyAt });
          resolve(teacher);
        } else if (teacher) {
          for (const peer of message.health) teacher.health.set(peer.peerId, peer);
          teacher.layers = message.layers;
        }
      });
    });
  }

  #onStarted: ((at: number) => void) | null = null;

  /** Presses start (a teacher started with `startLater`); resolves with when (Unix ms). */
  pressStart(): Promise<number> {
    return new Promise((resolve) => {
      this.#onStarted = resolve;
      this.#child.stdin.write('start\n');
    });
  }

  /** The process id, for CPU readings. */
  get pid(): number {
    return this.#child.pid!;
  }

  /** Leaves the lesson (with `end`, ends it) and waits for the process to exit. */
  async stop({ end = false }: { end?: boolean } = {}): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin.write(end ? 'end\n' : 'stop\n');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
