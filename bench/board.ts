/**
 * bench:board — the lesson board on the real server (its own process, embedded FerretDB):
 *
 * 1. Stroke latency teacher → 8 receivers: the teacher streams freehand strokes as the
 *    browser does (a draw, an extend every `--interval` ms, a finish); each receiving socket
 *    times every change from the teacher's send to its arrival (same clock: one process).
 *    The 8 receivers are the demo's four classroom accounts, twice each.
 * 2. Late join: the board is filled to `--strokes` strokes (default 10,000, ~30 points each),
 *    then a classroom opens it: the time from asking to holding the parsed state, and to
 *    holding the folded state it draws from; best and median of `--joins`.
 * 3. Replay: the whole log read back over HTTP after a server restart (from the database).
 *
 * Targets (issue #6): p95 stroke latency under 50 ms on loopback; late join under 500 ms.
 *
 *   npm run bench:board
 *   npm run bench:board -- --strokes=2000 --latency-strokes=50     # a quick run
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { z } from 'zod';
import type { CurrentLessonResponse } from '../server/contract/api.ts';
import { findItem } from '../server/contract/board.ts';
import type { BoardChange, BoardOp, BoardState, BoardSync } from '../server/contract/board.ts';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../server/contract/events.ts';
import { mulberry32 } from '../scheduler/timetable/random.ts';
import {
  startServerProcess as startServer,
  stopServerProcess as stopServer,
} from '../tests/helpers/serverProcess.ts';
import { machine, textTable, writeResults } from './lib/results.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const Options = z.object({
  strokes: z.coerce.number().int().min(100).max(50_000),
  latencyStrokes: z.coerce.number().int().min(10).max(2000),
  interval: z.coerce.number().int().min(5).max(100),
  joins: z.coerce.number().int().min(1).max(20),
});

function parseOptions(): z.infer<typeof Options> {
  const { values } = parseArgs({
    options: {
      strokes: { type: 'string', default: '10000' },
      'latency-strokes': { type: 'string', default: '200' },
      interval: { type: 'string', default: '16' },
      joins: { type: 'string', default: '5' },
    },
  });
  return Options.parse({ ...values, latencyStrokes: values['latency-strokes'] });
}

async function login(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo2026' }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function connect(url: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

function request<T>(socket: ClientSocket, event: keyof ClientToServerEvents, payload: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    (socket.emit as (e: string, p: unknown, cb: (r: Ack<T>) => void) => void)(event, payload, (r) =>
      r.ok ? resolve(r.data) : reject(new Error(`${event}: ${r.error.name}: ${r.error.message}`)),
    );
  });
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (ms: number): number => Math.round(ms * 100) / 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A freehand stroke of `n` points wandering from a random start. */
function strokePoints(rng: () => number, n: number): number[] {
  const points: number[] = [];
  let x = 100 + rng() * 1400;
  let y = 100 + rng() * 700;
  for (let i = 0; i < n; i++) {
    x += (rng() - 0.5) * 20;
    y += (rng() - 0.5) * 20;
    points.push(
      Math.round(x * 10) / 10,
      Math.round(y * 10) / 10,
      Math.round((0.3 + rng() * 0.7) * 100) / 100,
    );
  }
  return points;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const started = new Date();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-board-'));
  let server = await startServer(dataDir);
  const sockets: ClientSocket[] = [];
  try {
    const teacherToken = await login(server.url, 'teacher');
    const teacher = await connect(server.url, teacherToken);
    sockets.push(teacher);
    const current = (await (
      await fetch(`${server.url}/api/lessons/current`, {
        headers: { authorization: `Bearer ${teacherToken}` },
      })
    ).json()) as CurrentLessonResponse;
    const lessonId = current.lesson!.id;
    await request(teacher, 'lesson:start', { lessonId });
    await request(teacher, 'board:open', { lessonId, since: null });

    // 1. Latency to 8 receivers.
    const receivers: ClientSocket[] = [];
    for (const username of ['classroom1', 'classroom2', 'classroom3', 'classroom4']) {
      const token = await login(server.url, username);
      for (let copy = 0; copy < 2; copy++) receivers.push(await connect(server.url, token));
    }
    sockets.push(...receivers);
    /** key of a change (stroke id and its index in the stroke) → when the teacher sent it. */
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    for (const r of receivers) {
      await request(r, 'board:open', { lessonId, since: null });
      const extendsSeen = new Map<string, number>();
      r.on('board:ops', ({ ops }) => {
        const now = performance.now();
        for (const op of ops) {
          const c = op.change;
          if (c.t !== 'draw' && c.t !== 'extend' && c.t !== 'finish') continue;
          const n = c.t === 'draw' ? 0 : c.t === 'finish' ? -1 : (extendsSeen.get(c.id) ?? 0) + 1;
          if (c.t === 'extend') extendsSeen.set(c.id, n);
          const at = sentAt.get(`${c.id}:${n}`);
          if (at !== undefined) latencies.push(now - at);
        }
      });
    }
    const rng = mulberry32(6);
    const send = (change: BoardChange, key: string): Promise<unknown> => {
      sentAt.set(key, performance.now());
      return request(teacher, 'board:change', { lessonId, change });
    };
    const latencyStart = performance.now();
    for (let s = 0; s < options.latencyStrokes; s++) {
      const id = `lat${s}`;
      const points = strokePoints(rng, 40);
      const pending: Promise<unknown>[] = [];
      pending.push(
        send(
          { t: 'draw', id, page: 'p1', tool: 'pen', color: '#1565c0', width: 4, points: points.slice(0, 3) },
          `${id}:0`,
        ),
      );
      // The browser sends the points gathered since the last message, every `interval` ms.
      for (let k = 1; k * 12 < points.length; k++) {
        await sleep(options.interval);
        pending.push(send({ t: 'extend', id, points: points.slice(k * 12 - 9, k * 12 + 3) }, `${id}:${k}`));
      }
      pending.push(send({ t: 'finish', id }, `${id}:-1`));
      await Promise.all(pending);
    }
    await sleep(500);
    const latencySeconds = (performance.now() - latencyStart) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const expected = sentAt.size * receivers.length;

    // 2. Fill the board to `strokes` strokes, then time late joins.
    const fillStart = performance.now();
    const batch: Promise<unknown>[] = [];
    for (let s = options.latencyStrokes; s < options.strokes; s++) {
      const id = `s${s}`;
      batch.push(
        request(teacher, 'board:change', {
          lessonId,
          change: {
            t: 'draw',
            id,
            page: 'p1',
            tool: 'pen',
            color: '#000000',
            width: 3,
            points: strokePoints(rng, 30),
          },
        }),
        request(teacher, 'board:change', { lessonId, change: { t: 'finish', id } }),
      );
      if (batch.length >= 400) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    const fillSeconds = (performance.now() - fillStart) / 1000;
    for (const r of receivers) r.close();

    const joins: { parsedMs: number; foldedMs: number; bytes: number }[] = [];
    const lateToken = await login(server.url, 'classroom3');
    let state: BoardState | null = null;
    for (let j = 0; j < options.joins; j++) {
      const late = await connect(server.url, lateToken);
      let bytes = 0;
      late.io.engine.on('packet', (packet: { data?: unknown }) => {
        if (typeof packet.data === 'string') bytes += packet.data.length;
      });
      const t0 = performance.now();
      const sync = await request<BoardSync>(late, 'board:open', { lessonId, since: null });
      const parsed = performance.now();
      if (sync.kind !== 'state') throw new Error('a late joiner should get the state');
      state = sync.state;
      // What the view does before drawing: the item index for incoming changes.
      findItem(state, state.items[0]!.id);
      joins.push({ parsedMs: parsed - t0, foldedMs: performance.now() - t0, bytes });
      late.close();
    }
    const strokes = state!.items.length;

    // 3. After a restart: the log read back from the database and folded.
    for (const s of sockets) s.close();
    await stopServer(server.child);
    server = await startServer(dataDir);
    const managerToken = await login(server.url, 'coordinator');
    const r0 = performance.now();
    const res = await fetch(`${server.url}/api/lessons/${lessonId}/board`, {
      headers: { authorization: `Bearer ${managerToken}` },
    });
    const { ops } = (await res.json()) as { ops: BoardOp[] };
    const replayMs = performance.now() - r0;

    const bestJoin = Math.min(...joins.map((j) => j.foldedMs));
    const medianJoin = [...joins.map((j) => j.foldedMs)].sort((a, b) => a - b)[Math.floor(joins.length / 2)]!;
    const result = {
      environment: machine(),
      settings: options,
      latency: {
        receivers: receivers.length,
        strokes: options.latencyStrokes,
        changes: sentAt.size,
        deliveries: latencies.length,
        expectedDeliveries: expected,
        seconds: round(latencySeconds),
        p50Ms: round(percentile(sorted, 50)),
        p95Ms: round(percentile(sorted, 95)),
        p99Ms: round(percentile(sorted, 99)),
        maxMs: round(sorted.at(-1) ?? NaN),
        targetP95Ms: 50,
      },
      lateJoin: {
        strokes,
        fillSeconds: round(fillSeconds),
        bytes: joins[0]?.bytes ?? 0,
        runs: joins.map((j) => ({ parsedMs: round(j.parsedMs), foldedMs: round(j.foldedMs) })),
        bestMs: round(bestJoin),
        medianMs: round(medianJoin),
        targetMs: 500,
      },
      replayAfterRestart: { ops: ops.length, ms: round(replayMs) },
    };
    console.log(
      textTable(
        ['measure', 'detail', 'value', 'target'],
        [
          [
            'stroke latency p50',
            `${receivers.length} receivers, ${sentAt.size} changes`,
            `${result.latency.p50Ms} ms`,
            '',
          ],
          [
            'stroke latency p95',
            `${latencies.length}/${expected} delivered`,
            `${result.latency.p95Ms} ms`,
            '< 50 ms',
          ],
          ['stroke latency p99', '', `${result.latency.p99Ms} ms`, ''],
          [
            'late join (median)',
            `${strokes} strokes, ${(result.lateJoin.bytes / 1e6).toFixed(1)} MB`,
            `${result.lateJoin.medianMs} ms`,
            '< 500 ms',
          ],
          ['late join (best)', `of ${joins.length}`, `${result.lateJoin.bestMs} ms`, ''],
          ['replay after restart', `${ops.length} ops from the database`, `${round(replayMs)} ms`, ''],
        ],
      ).join('\n'),
    );
    if (latencies.length !== expected)
      throw new Error(`only ${latencies.length} of ${expected} changes arrived`);
    await writeResults('board', started, result);
  } finally {
    for (const s of sockets) s.close();
    await stopServer(server.child).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
