import jwt from 'jsonwebtoken';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { NodeReport, REPORT_AUDIENCE } from './protocol.ts';

const SET = 'sync-classroom:media-nodes';
const key = (nodeId: string): string => `sync-classroom:media-node:${nodeId}`;

/**
 * Media nodes' load reports, kept in the Redis the server processes share. A node writes its
 * report (a token signed with MEDIA_NODE_SECRET) every few seconds under a key that expires
 * after three intervals: a node that stops reporting drops out by itself, with no clock shared
 * between hosts. Readers verify each report: one not signed with the secret is refused, one
 * that is signed but malformed is ignored, each with a warning (once per node).
 */
export class NodeReports {
  readonly #redis: Redis;
  readonly #secret: string;
  readonly #log: Logger;
  /** Nodes already warned about, by id, with the warning (so each new problem is logged once). */
  readonly #warned = new Map<string, string>();

  constructor(redis: Redis, secret: string, logger: Logger) {
    this.#redis = redis;
    this.#secret = secret;
    this.#log = logger.child({ module: 'media-nodes' });
  }

  /** Writes a node's report, valid for `ttlMs`. */
  async publish(report: NodeReport, ttlMs: number): Promise<void> {
    const token = jwt.sign(report, this.#secret, { algorithm: 'HS256', audience: REPORT_AUDIENCE });
    await this.#redis.multi().sadd(SET, report.nodeId).set(key(report.nodeId), token, 'PX', ttlMs).exec();
  }

  /** Removes a node's report (a node that stops cleanly). */
  async withdraw(nodeId: string): Promise<void> {
    await this.#redis.multi().srem(SET, nodeId).del(key(nodeId)).exec();
  }

  /** The current reports of the nodes that report, verified. */
  async read(): Promise<NodeReport[]> {
    const ids = await this.#redis.smembers(SET);
    if (!ids.length) return [];
    const tokens = await this.#redis.mget(ids.map(key));
    const reports: NodeReport[] = [];
    const gone: string[] = [];
    ids.forEach((nodeId, i) => {
      const token = tokens[i];
      if (!token) return void gone.push(nodeId);
      const report = this.#verify(nodeId, token);
      if (report) reports.push(report);
    });
    // Expired keys: the set forgets them (a node that comes back adds itself again).
    if (gone.length) await this.#redis.srem(SET, ...gone);
    return reports;
  }

  #verify(nodeId: string, token: string): NodeReport | null {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#secret, { algorithms: ['HS256'], audience: REPORT_AUDIENCE });
    } catch (error) {
      this.#warn(nodeId, `report refused: not signed with MEDIA_NODE_SECRET (${(error as Error).message})`);
      return null;
    }
    const parsed = NodeReport.safeParse(payload);
    if (!parsed.success || parsed.data.nodeId !== nodeId) {
      const why = parsed.success ? 'node id differs from its key' : parsed.error.issues[0]?.message;
      this.#warn(nodeId, `report ignored: not a valid load report (${why ?? 'invalid'})`);
      return null;
    }
    this.#warned.delete(nodeId);
    return parsed.data;
  }

  #warn(nodeId: string, message: string): void {
    if (this.#warned.get(nodeId) === message) return;
    this.#warned.set(nodeId, message);
    this.#log.warn({ nodeId }, message);
  }
}
