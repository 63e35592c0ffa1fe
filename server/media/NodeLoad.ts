import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { LessonRoom, WorkerPool } from '../../sfu/index.ts';
import type { NodeReport } from './protocol.ts';

export interface NodeIdentity {
  nodeId: string;
  url: string;
  region: string | null;
}

/**
 * A media node's load, sampled for its report and its Prometheus metrics: each worker's CPU
 * over the last interval (from its resource usage), its routers and transports, and the rooms'
 * participants, consumers and bit rates.
 */
export class NodeLoad {
  readonly registry = new Registry();
  readonly #pool: WorkerPool;
  readonly #rooms: () => LessonRoom[];
  readonly #identity: NodeIdentity;
  /** CPU time per worker pid at the last sample, and when. */
  #cpu = new Map<number, number>();
  #sampledAt = performance.now();
  #last: NodeReport | undefined;

  constructor(pool: WorkerPool, rooms: () => LessonRoom[], identity: NodeIdentity) {
    this.#pool = pool;
    this.#rooms = rooms;
    this.#identity = identity;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const last = (): NodeReport | undefined => this.#last;
    new Gauge({
      name: 'media_node_worker_cpu_ratio',
      help: 'Share of one core each mediasoup worker used over the last report interval',
      labelNames: ['pid'],
      registers,
      collect() {
        this.reset();
        for (const w of last()?.workers ?? []) this.set({ pid: String(w.pid) }, w.cpu);
      },
    });
    const figures: [string, string, (r: NodeReport) => number][] = [
      ['media_node_rooms', 'Lesson rooms hosted', (r) => r.rooms],
      ['media_node_peers', 'Peers in the rooms hosted', (r) => r.peers],
      ['media_node_consumers', 'Consumers (streams sent to peers)', (r) => r.consumers],
      ['media_node_egress_bits_per_second', 'What the transports send', (r) => r.egressBps],
      ['media_node_ingress_bits_per_second', 'What the transports receive', (r) => r.ingressBps],
    ];
    for (const [name, help, read] of figures)
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const report = last();
          if (report) this.set(read(report));
        },
      });
  }

  /** The last report sampled. */
  get last(): NodeReport | undefined {
    return this.#last;
  }

  async sample(): Promise<NodeReport> {
    const now = performance.now();
    const elapsedMs = Math.max(1, now - this.#sampledAt);
    const [usage, traffic] = await Promise.all([
      this.#pool.resourceUsage(),
      Promise.all(this.#rooms().map((r) => r.traffic())),
    ]);
    const structure = new Map(this.#pool.stats().map((w) => [w.pid, w]));
    const workers = usage.map((u) => {
      const before = this.#cpu.get(u.pid);
      const cpu = before === undefined ? 0 : Math.min(1, Math.max(0, (u.cpuMs - before) / elapsedMs));
      const s = structure.get(u.pid);
      return { pid: u.pid, cpu, routers: s?.routers ?? 0, transports: s?.transports ?? 0 };
    });
    this.#cpu = new Map(usage.map((u) => [u.pid, u.cpuMs]));
    this.#sampledAt = now;
    const stats = this.#rooms().map((r) => r.stats());
    this.#last = {
      ...this.#identity,
      workers,
      rooms: stats.length,
      peers: stats.reduce((n, s) => n + s.peers, 0),
      consumers: stats.reduce((n, s) => n + s.consumers, 0),
      egressBps: Math.round(traffic.reduce((n, t) => n + t.sendBps, 0)),
      ingressBps: Math.round(traffic.reduce((n, t) => n + t.recvBps, 0)),
    };
    return this.#last;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
