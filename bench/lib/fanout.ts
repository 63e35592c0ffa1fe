import type { IngestPorts } from './source.ts';

/** Which code sets up the forwarding: the platform's `sfu` module, or mediasoup directly. */
export type FanoutPath = 'platform' | 'bare';

/** CPU and memory of the mediasoup worker process(es) behind a fan-out. */
export interface WorkerUsage {
  /** User + system CPU time since the worker started, ms. */
  cpuMs: number;
  /** Peak resident set size of the worker, KiB. */
  maxRssKiB: number;
}

/**
 * One sender fanned out to K receivers on a fresh mediasoup worker: a video and an audio
 * ingest plain transport, and per receiver a plain transport with a video and an audio
 * consumer sending to that receiver's sink.
 */
export interface Fanout {
  readonly path: FanoutPath;
  /** Where ffmpeg sends video. */
  readonly videoIngest: IngestPorts;
  /** Where ffmpeg sends audio. */
  readonly audioIngest: IngestPorts;
  /** Payload types the consumers send to the sinks (the router's, not ffmpeg's). */
  readonly payloadTypes: { video: number; audio: number };
  /** Process ids of the worker(s), to wait for their exit after `close()`. */
  readonly workerPids: number[];
  usage(): Promise<WorkerUsage>;
  /** Closes everything, including the worker(s). */
  close(): void;
}

/** Fan-out setup shared by both paths: receivers' sink ports, all on 127.0.0.1. */
export interface FanoutOptions {
  sinkPorts: number[];
}

/** The payload type a consumer's first codec uses. */
export function firstPayloadType(rtpParameters: { codecs: { payloadType: number }[] }): number {
  const codec = rtpParameters.codecs[0];
  if (!codec) throw new TypeError('consumer has no codec');
  return codec.payloadType;
}

/** Ingest ports of a comedia plain transport without rtcp-mux. */
export function ingestPorts(port: number, rtcpPort: number | undefined): IngestPorts {
  if (rtcpPort === undefined) throw new TypeError('ingest transport needs a separate RTCP port');
  return { port, rtcpPort };
}
