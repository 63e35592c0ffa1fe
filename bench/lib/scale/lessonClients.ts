import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import type { BoardChange, BoardOp, BoardSync } from '../../../server/contract/board.ts';
import type { Ack, ClientToServerEvents } from '../../../server/contract/events.ts';
import { request } from '../../../tests/helpers/socket.ts';
import type { ClientSocket } from '../../../tests/helpers/socket.ts';
import type { ScaleLesson } from './seed.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Emits and resolves with the acknowledgement (rejects after 60 s without one). */
const ask = (
  socket: ClientSocket,
  event: keyof ClientToServerEvents,
  payload: unknown,
): Promise<Ack<unknown>> => request(socket, event, payload, 60_000);

/** Asks until the answer is not "hosted elsewhere" (a failover in progress), then requires success. */
async function must(
  socket: ClientSocket,
  event: keyof ClientToServerEvents,
  payload: unknown,
): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const ack = await ask(socket, event, payload);
    if (ack.ok) return ack.data;
    if (ack.error.code === 'LESSON_ELSEWHERE' && attempt < 30) {
      await sleep(1000);
      continue;
    }
    throw new Error(`${event}: ${ack.error.name} ${ack.error.message}`);
  }
}

/**
 * One participant of a simulated lesson as the app drives it, without media: a socket routed
 * by the lesson id (as the browser's, so HAProxy sends it to the lesson's process), joined,
 * with the board open; after a reconnection it joins again and reopens the board from the
 * last change it has, as the app does.
 */
export class Participant {
  readonly socket: ClientSocket;
  /** Sequence number of the last change it has, all before it included. */
  lastSeq = 0;
  reconnects = 0;
  #onOp: ((op: BoardOp, at: number) => void) | null = null;

  constructor(
    url: string,
    token: string,
    readonly lessonId: string,
    readonly rtpCapabilities: () => unknown,
  ) {
    this.socket = io(url, {
      auth: { token },
      query: { route: lessonId },
      transports: ['websocket'],
      reconnectionDelayMax: 5000,
      forceNew: true,
      autoConnect: false,
    });
    this.socket.on('board:ops', ({ ops }) => this.#take(ops));
    this.socket.io.on('reconnect', () => {
      this.reconnects++;
      void this.enter().catch(() => undefined);
    });
  }

  /** Calls `fn` for every change this participant is given, in order, at its arrival time. */
  onOp(fn: (op: BoardOp, at: number) => void): void {
    this.#onOp = fn;
  }

  /** Connects; a refused attempt (a process busy or restarting) is retried by socket.io itself. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connection in 60 s')), 60_000);
      this.socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.connect();
    });
  }

  /** Joins the lesson and opens its board from the last change it has. */
  async enter(): Promise<void> {
    await must(this.socket, 'lesson:join', {
      lessonId: this.lessonId,
      rtpCapabilities: this.rtpCapabilities(),
    });
    const sync = (await must(this.socket, 'board:open', {
      lessonId: this.lessonId,
      since: this.lastSeq,
    })) as BoardSync;
    if (sync.kind === 'ops') this.#take(sync.ops);
    else if (sync.state.seq > this.lastSeq) this.lastSeq = sync.state.seq;
  }

  start(): Promise<unknown> {
    return must(this.socket, 'lesson:start', { lessonId: this.lessonId });
  }

  end(): Promise<unknown> {
    return must(this.socket, 'lesson:end', { lessonId: this.lessonId });
  }

  /** Sends a board change; resolves with its sequence number, or with why it was refused. */
  async change(change: BoardChange): Promise<number | string> {
    const ack = await ask(this.socket, 'board:change', { lessonId: this.lessonId, change });
    return ack.ok ? (ack.data as { seq: number }).seq : `${ack.error.name}: ${ack.error.message}`;
  }

  close(): void {
    this.socket.close();
  }

  #take(ops: BoardOp[]): void {
    const at = performance.now();
    for (const op of ops) {
      if (op.seq !== this.lastSeq + 1) continue;
      this.lastSeq = op.seq;
      this.#onOp?.(op, at);
    }
  }
}

/** A simulated lesson: its teacher and its classrooms. */
export interface LessonClients {
  lesson: ScaleLesson;
  teacher: Participant;
  classrooms: Participant[];
}

/**
 * Connects and joins every lesson, `parallel` lessons at a time: the teacher starts it, then
 * the teacher and its classrooms join and open the board. Resolves with how long it took.
 */
export async function joinAll(
  url: string,
  lessons: readonly ScaleLesson[],
  parallel: number,
): Promise<{ clients: LessonClients[]; seconds: number; steps: Record<string, number> }> {
  /** Time spent in each step, summed over lessons, s. */
  const steps: Record<string, number> = { connect: 0, start: 0, teacherJoin: 0, classroomsJoin: 0 };
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      steps[step] = (steps[step] ?? 0) + (performance.now() - t0) / 1000;
    }
  };
  // Every router has the same capabilities; the clients offer them back as their own.
  let caps: unknown = null;
  const rtpCapabilities = (): unknown => caps;
  const clients: LessonClients[] = lessons.map((lesson) => ({
    lesson,
    teacher: new Participant(url, lesson.teacher, lesson.id, rtpCapabilities),
    classrooms: lesson.classrooms.map((t) => new Participant(url, t, lesson.id, rtpCapabilities)),
  }));
  const started = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < clients.length) {
      const c = clients[next++]!;
      await timed('connect', () => c.teacher.connect());
      await timed('start', () => c.teacher.start());
      if (!caps) {
        const res = await fetch(`${url}/api/lessons/${c.lesson.id}/rtp-capabilities`, {
          headers: { authorization: `Bearer ${c.lesson.teacher}` },
        });
        if (!res.ok) throw new Error(`rtp-capabilities: ${res.status} ${await res.text()}`);
        caps = ((await res.json()) as { routerRtpCapabilities: unknown }).routerRtpCapabilities;
      }
      await timed('teacherJoin', () => c.teacher.enter());
      await timed('classroomsJoin', () =>
        Promise.all(c.classrooms.map(async (p) => (await p.connect(), await p.enter()))),
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return { clients, seconds: (performance.now() - started) / 1000, steps };
}
