import type { types } from 'mediasoup';
import { lessonOfRoom } from '../../sfu/index.ts';
import type { MediaWorkers, RoomPlacement } from '../../sfu/index.ts';
import type { Logger } from '../logger.ts';
import { inRegion, regionPrefix } from '../auth/Scope.ts';
import { MediaNodeUnavailableError } from '../errors.ts';
import { NodeLink } from './NodeLink.ts';
import type { NodeReports } from './NodeReports.ts';
import type { NodeReport } from './protocol.ts';
import { RemoteRoom } from './RemoteRoom.ts';

/** How long a room placed on a node counts towards its load before its reports show it, ms. */
const RECENT_MS = 5000;

export interface NodePlacementOptions {
  reports: NodeReports;
  secret: string;
  processName: string;
  logger: Logger;
  /**
   * The administrative code of the region a lesson belongs to: a node whose MEDIA_NODE_REGION is
   * that region or contains it (a city's node for its counties) is preferred.
   */
  regionOf?: (lessonId: string) => Promise<string | null>;
  /** How old the reports read may be when placing, ms. @default 1000 */
  freshMs?: number;
  /** How often the reports are read in the background (new nodes, /health), ms. @default 2000 */
  refreshMs?: number;
  /** A node whose busiest worker is above this share of a core is avoided while others are not. @default 0.8 */
  busyCpu?: number;
}

/**
 * Lessons placed on media nodes (MEDIA_NODES=true): each new room goes to the least loaded node
 * that reports and is linked, preferring the lesson's region while one there is not busy. The
 * load is the node's busiest worker's CPU, then its consumers; rooms this process placed since
 * the node's last report count too, so a burst of lessons does not all land on one node.
 */
export class NodePlacement implements RoomPlacement, MediaWorkers {
  readonly #o: Required<Omit<NodePlacementOptions, 'regionOf'>> & Pick<NodePlacementOptions, 'regionOf'>;
  /** A remote room is driven over RPC, which has no waiting room (yet): pages join once live. */
  readonly waits = false;
  readonly #links = new Map<string, NodeLink>();
  /** Rooms placed per node since its report was last read. */
  readonly #placed = new Map<string, number[]>();
  /** The nodes hosting each lesson's rooms (a broadcast has several), by lesson id. */
  readonly #lessonNodes = new Map<string, Map<string, number>>();
  /** Nodes whose link dropped, until they report again after it. */
  readonly #down = new Map<string, number>();
  #reports: NodeReport[] = [];
  #readAt = 0;
  #reading: Promise<NodeReport[]> | undefined;
  #capabilities: Promise<types.RtpCapabilities> | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #log: Logger;

  constructor(options: NodePlacementOptions) {
    this.#o = { freshMs: 1000, refreshMs: 2000, busyCpu: 0.8, ...options };
    this.#log = options.logger.child({ module: 'media-placement' });
    const refresh = (): void =>
      void this.#fresh().catch((error: unknown) =>
        this.#log.warn({ err: error }, 'media node reports not read'),
      );
    refresh();
    this.#timer = setInterval(refresh, this.#o.refreshMs).unref();
  }

  /** The last reports read. */
  get reports(): NodeReport[] {
    return this.#reports;
  }

  /** The nodes' workers as last reported (for /health and the admin's view). */
  get pids(): number[] {
    return this.#reports.flatMap((r) => r.workers.map((w) => w.pid));
  }

  stats(): { pid: number; routers: number; transports: number }[] {
    return this.#reports.flatMap((r) =>
      r.workers.map(({ pid, routers, transports }) => ({ pid, routers, transports })),
    );
  }

  /** Opens a room: `room` is a lesson's id, or `<lessonId>~<n>` for another room of a broadcast. */
  async open(room: string): Promise<RemoteRoom> {
    const [reports, region] = await Promise.all([this.#fresh(), this.#o.regionOf?.(room) ?? null]);
    const lessonId = lessonOfRoom(room);
    const tried = new Set<string>();
    let lastError: unknown;
    // A node that cannot open it (its link just dropped) is skipped for the next best.
    for (;;) {
      const node = this.#choose(reports, region, tried, this.#lessonNodes.get(lessonId));
      if (!node) break;
      tried.add(node.nodeId);
      try {
        const opened = await RemoteRoom.open(this.#link(node), room);
        this.#placed.set(node.nodeId, [...(this.#placed.get(node.nodeId) ?? []), Date.now()]);
        this.#hosts(lessonId, node.nodeId, +1);
        opened.on('close', () => this.#hosts(lessonId, node.nodeId, -1));
        this.#log.info({ room, nodeId: node.nodeId, region }, 'lesson placed');
        return opened;
      } catch (error) {
        lastError = error;
        this.#log.warn({ err: error, lessonId, nodeId: node.nodeId }, 'media node did not open the room');
      }
    }
    if (lastError instanceof Error) throw lastError;
    throw new MediaNodeUnavailableError('no media node is reporting: start one with "npm run media-node"');
  }

  /** Asked of a node once: every node's routers have the same codecs (`LESSON_MEDIA_CODECS`). */
  capabilities(): Promise<types.RtpCapabilities> {
    this.#capabilities ??= this.#fresh()
      .then((reports) => {
        const node = this.#choose(reports, null, new Set(), undefined);
        if (!node)
          throw new MediaNodeUnavailableError(
            'no media node is reporting: start one with "npm run media-node"',
          );
        return this.#link(node).capabilities();
      })
      .catch((error: unknown) => {
        this.#capabilities = undefined;
        throw error;
      });
    return this.#capabilities;
  }

  close(): void {
    clearInterval(this.#timer);
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
  }

  /**
   * The node for a new room: among the usable nodes, those of the lesson's region (while not
   * busy), and among those the ones not yet hosting a room of the same lesson (a broadcast
   * spreads over nodes), the least loaded.
   */
  #choose(
    reports: NodeReport[],
    region: string | null,
    tried: Set<string>,
    lessonNodes?: Map<string, number>,
  ): NodeReport | undefined {
    const usable = reports.filter((r) => !tried.has(r.nodeId) && !this.#down.has(r.nodeId));
    // Rooms placed since the node's last report or two (its CPU does not show them yet).
    const recent = (r: NodeReport): number =>
      (this.#placed.get(r.nodeId) ?? []).filter((at) => Date.now() - at < RECENT_MS).length;
    const load = (r: NodeReport): number =>
      Math.max(...r.workers.map((w) => w.cpu)) + (recent(r) * 0.05) / r.workers.length;
    const byLoad = (a: NodeReport, b: NodeReport): number =>
      load(a) - load(b) || a.consumers - b.consumers || a.nodeId.localeCompare(b.nodeId);
    const prefer = (nodes: NodeReport[], keep: (r: NodeReport) => boolean): NodeReport[] => {
      const kept = nodes.filter(keep);
      return kept.length ? kept : nodes;
    };
    const inLessonRegion = (r: NodeReport): boolean =>
      !!region && !!r.region && inRegion(regionPrefix(r.region), region) && load(r) < this.#o.busyCpu;
    const apart = (r: NodeReport): boolean => !lessonNodes?.get(r.nodeId) && load(r) < this.#o.busyCpu;
    return prefer(prefer(usable, inLessonRegion), apart).sort(byLoad)[0];
  }

  #hosts(lessonId: string, nodeId: string, change: 1 | -1): void {
    const nodes = this.#lessonNodes.get(lessonId) ?? new Map<string, number>();
    const count = (nodes.get(nodeId) ?? 0) + change;
    if (count > 0) nodes.set(nodeId, count);
    else nodes.delete(nodeId);
    if (nodes.size) this.#lessonNodes.set(lessonId, nodes);
    else this.#lessonNodes.delete(lessonId);
  }

  #link(node: NodeReport): NodeLink {
    let link = this.#links.get(node.nodeId);
    if (link && link.url !== node.url) {
      link.close();
      link = undefined;
    }
    if (!link) {
      const created = new NodeLink({
        nodeId: node.nodeId,
        url: node.url,
        secret: this.#o.secret,
        processName: this.#o.processName,
        logger: this.#o.logger,
      });
      created.on('down', () => this.#down.set(node.nodeId, Date.now()));
      created.on('up', () => this.#down.delete(node.nodeId));
      this.#links.set(node.nodeId, created);
      link = created;
    }
    return link;
  }

  /** The reports, read again if older than `freshMs` (one read at a time). */
  async #fresh(): Promise<NodeReport[]> {
    if (Date.now() - this.#readAt < this.#o.freshMs) return this.#reports;
    this.#reading ??= this.#o.reports
      .read()
      .then((reports) => {
        this.#reports = reports;
        this.#readAt = Date.now();
        for (const [nodeId, times] of this.#placed) {
          const kept = times.filter((at) => Date.now() - at < RECENT_MS);
          if (kept.length) this.#placed.set(nodeId, kept);
          else this.#placed.delete(nodeId);
        }
        // A node whose link dropped is usable again once linked; one that stopped reporting is forgotten.
        const ids = new Set(reports.map((r) => r.nodeId));
        for (const [nodeId, link] of this.#links)
          if (!ids.has(nodeId)) {
            link.close();
            this.#links.delete(nodeId);
            this.#down.delete(nodeId);
          }
        return reports;
      })
      .finally(() => (this.#reading = undefined));
    return this.#reading;
  }
}
