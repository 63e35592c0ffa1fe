import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the metrics read when Prometheus scrapes (each process its own figures). */
export interface MetricSources {
  /** Live lesson rooms hosted here and their participants. */
  rooms(): { rooms: number; peers: number };
  /** Round trip to the database, seconds (a ping). */
  databaseLatency(): Promise<number>;
  /** Round trip to Redis, seconds (absent without Redis). */
  redisLatency?: () => Promise<number>;
  /** Per job queue: jobs waiting and running, and the age of the oldest waiting one, seconds. */
  jobs?: () => Promise<{ queue: string; waiting: number; running: number; oldestWaitingSeconds: number }[]>;
}

/** Socket events whose handling time is worth a histogram of its own. */
const TIMED_EVENTS = new Set(['lesson:join', 'board:change']);

/**
 * The process's Prometheus metrics (prom-client, one registry per platform so that several in
 * one test process do not mix): Node's own (CPU, heap, event loop lag, handles), live lessons
 * and participants, socket events by outcome, join and board-change times, lesson hosting
 * changes, database and Redis round trips, and the job queue.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #events: Counter<'event' | 'outcome'>;
  readonly #handling: Histogram<'event'>;
  readonly #hosting: Counter<'change'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'classroom_live_lessons',
      help: 'Live lesson rooms hosted by this process',
      registers,
      collect() {
        this.set(sources.rooms().rooms);
      },
    });
    new Gauge({
      name: 'classroom_lesson_participants',
      help: 'Participants (teacher and classrooms) in the lessons hosted by this process',
      registers,
      collect() {
        this.set(sources.rooms().peers);
      },
    });
    new Gauge({
      name: 'classroom_database_latency_seconds',
      help: 'Round trip of a ping to the database, measured at scrape time',
      registers,
      async collect() {
        this.set(await sources.databaseLatency());
      },
    });
    const redisLatency = sources.redisLatency;
    if (redisLatency)
      new Gauge({
        name: 'classroom_redis_latency_seconds',
        help: 'Round trip of a PING to Redis, measured at scrape time',
        registers,
        async collect() {
          this.set(await redisLatency());
        },
      });
    const jobs = sources.jobs;
    if (jobs) {
      // One read of every queue per scrape, shared by the two gauges.
      let pending: ReturnType<typeof jobs> | null = null;
      const read = (): ReturnType<typeof jobs> =>
        (pending ??= jobs().finally(() => setTimeout(() => (pending = null), 1000).unref()));
      new Gauge({
        name: 'classroom_jobs',
        help: 'Timetable solves and report exports across every process sharing the queue, by queue and state',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          for (const { queue, waiting, running } of await read()) {
            this.set({ queue, state: 'waiting' }, waiting);
            this.set({ queue, state: 'running' }, running);
          }
        },
      });
      new Gauge({
        name: 'classroom_job_oldest_waiting_seconds',
        help: 'Age of the oldest job waiting for a worker, by queue (0 when none waits)',
        labelNames: ['queue'],
        registers,
        async collect() {
          for (const { queue, oldestWaitingSeconds } of await read())
            this.set({ queue }, oldestWaitingSeconds);
        },
      });
    }
    this.#events = new Counter({
      name: 'classroom_socket_events_total',
      help: 'Socket events handled, by event and outcome (ok, refused, failed)',
      labelNames: ['event', 'outcome'],
      registers,
    });
    this.#handling = new Histogram({
      name: 'classroom_socket_event_seconds',
      help: 'Time from receiving lesson:join or board:change to its answer (a board change is answered once persisted and broadcast)',
      labelNames: ['event'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#hosting = new Counter({
      name: 'classroom_lesson_hosting_changes_total',
      help: 'Live lessons this process started hosting (taken) or gave up to another process (lost)',
      labelNames: ['change'],
      registers,
    });
  }

  /** Counts a handled socket event; `refused` is a named error answered to the client, `failed` an internal one. */
  socketEvent(event: string, outcome: 'ok' | 'refused' | 'failed', seconds: number): void {
    this.#events.inc({ event, outcome });
    if (TIMED_EVENTS.has(event)) this.#handling.observe({ event }, seconds);
  }

  hosting(change: 'taken' | 'lost'): void {
    this.#hosting.inc({ change });
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
