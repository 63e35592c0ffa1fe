import { performance } from 'node:perf_hooks';
import type { BoardChange } from '../../../server/contract/board.ts';
import type { LessonClients } from './lessonClients.ts';

/** What a drawing phase measured. */
export interface StrokeRun {
  seconds: number;
  /** Changes the teachers sent, and of those the server accepted (acknowledged with a seq). */
  sent: number;
  accepted: number;
  refused: number;
  /** Accepted changes × classrooms of their lesson: what should arrive. */
  expected: number;
  /** Of those, what arrived (pushed, or in the reopening after a reconnection). */
  delivered: number;
  /** Accepted and still missing at a classroom once everything settled. */
  lost: number;
  /** Teacher's send → a classroom's arrival, ms, every (change, classroom) pair. */
  latencyMs: { p50: number; p95: number; p99: number; max: number; samples: number };
  /** Participants that reconnected during the phase. */
  reconnects: number;
  /** Why changes were refused, and how many times each. */
  refusals: Record<string, number>;
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;

/**
 * The drawing teachers each stream a stroke as the app does while the pen moves: a `draw`,
 * then an `extend` with the next point every `intervalMs`, a `finish` after 40 points, and the
 * next stroke. Runs `during` alongside (e.g. restarting Redis), waits for every change to be
 * acknowledged and to arrive (or 20 s), and counts.
 */
export async function drawFor(
  drawers: readonly LessonClients[],
  seconds: number,
  intervalMs: number,
  during: () => Promise<void> = () => Promise.resolve(),
): Promise<StrokeRun> {
  /** Per lesson: when the change that got each seq was sent. */
  const sentAt = drawers.map(() => new Map<number, number>());
  /** Per lesson, per classroom: when each seq arrived. */
  const arrivedAt = drawers.map((d) => d.classrooms.map(() => new Map<number, number>()));
  drawers.forEach((d, i) =>
    d.classrooms.forEach((c, k) => c.onOp((op, at) => arrivedAt[i]![k]!.set(op.seq, at))),
  );
  const reconnectsBefore = drawers.reduce(
    (n, d) => n + d.teacher.reconnects + d.classrooms.reduce((m, c) => m + c.reconnects, 0),
    0,
  );
  const stroke = drawers.map(() => ({ id: '', points: 0 }));
  let sent = 0;
  let refused = 0;
  const refusals: Record<string, number> = {};
  const refuse = (why: string): void => {
    refused++;
    refusals[why] = (refusals[why] ?? 0) + 1;
  };
  const acks: Promise<void>[] = [];
  let strokeNo = 0;
  // Stroke ids unique on the board across phases.
  const phase = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const tick = (): void => {
    drawers.forEach((d, i) => {
      const s = stroke[i]!;
      const x = Math.round(100 + (s.points % 40) * 20);
      const y = Math.round(100 + (strokeNo % 30) * 25);
      let change: BoardChange;
      if (!s.id) {
        s.id = `${phase}-${i}-${++strokeNo}`;
        s.points = 1;
        change = {
          t: 'draw',
          id: s.id,
          page: 'p1',
          tool: 'pen',
          color: '#c0392b',
          width: 4,
          points: [x, y, 0.5],
        };
      } else if (s.points >= 40) {
        change = { t: 'finish', id: s.id };
        s.id = '';
      } else {
        s.points++;
        change = { t: 'extend', id: s.id, points: [x, y, 0.5] };
      }
      const t0 = performance.now();
      sent++;
      acks.push(
        d.teacher.change(change).then(
          (seq) => {
            if (typeof seq === 'string') refuse(seq);
            else sentAt[i]!.set(seq, t0);
          },
          (error: unknown) => refuse(error instanceof Error ? error.message : String(error)),
        ),
      );
    });
  };
  const started = performance.now();
  const timer = setInterval(tick, intervalMs);
  const side = during();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(timer);
  const elapsed = (performance.now() - started) / 1000;
  await side;
  await Promise.all(acks);
  // Everything accepted arrives (a classroom that reconnected catches up by reopening the board).
  const highest = sentAt.map((m) => Math.max(0, ...m.keys()));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && drawers.some((d, i) => d.classrooms.some((c) => c.lastSeq < highest[i]!)))
    await new Promise((r) => setTimeout(r, 100));

  const latencies: number[] = [];
  let expected = 0;
  let delivered = 0;
  let lost = 0;
  drawers.forEach((d, i) => {
    for (const [seq, t0] of sentAt[i]!) {
      d.classrooms.forEach((c, k) => {
        expected++;
        const at = arrivedAt[i]![k]!.get(seq);
        if (at !== undefined) {
          delivered++;
          latencies.push(at - t0);
        } else if (seq <= c.lastSeq)
          delivered++; // in a reopening as board state, not as ops
        else lost++;
      });
    }
  });
  latencies.sort((a, b) => a - b);
  const reconnects =
    drawers.reduce(
      (n, d) => n + d.teacher.reconnects + d.classrooms.reduce((m, c) => m + c.reconnects, 0),
      0,
    ) - reconnectsBefore;
  return {
    seconds: elapsed,
    sent,
    accepted: sent - refused,
    refused,
    expected,
    delivered,
    lost,
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      samples: latencies.length,
    },
    reconnects,
    refusals,
  };
}
