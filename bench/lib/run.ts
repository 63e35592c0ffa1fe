import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBareFanout } from './bare.ts';
import type { Fanout, FanoutPath } from './fanout.ts';
import { processMemory, settledMemory } from './memory.ts';
import { createPlatformFanout } from './platform.ts';
import { waitForExit } from './reaper.ts';
import { diffCounts } from './sink.ts';
import type { RtpSink } from './sink.ts';
import { startSource } from './source.ts';
import type { SourceSettings } from './source.ts';

/** Figures of one run of one path at one K, over the measuring window. */
export interface RunResult {
  k: number;
  path: FanoutPath;
  /** Length of the measuring window, s. */
  seconds: number;
  /** Streams the worker forwards: K receivers × (video + audio). */
  forwardedStreams: number;
  /** RTP packets and bytes received by all sinks in the window. */
  packets: number;
  bytes: number;
  /** Worker CPU time (user + system) spent in the window, ms. */
  workerCpuMs: number;
  /** Peak and end-of-window RSS of the worker(s), KiB, from /proc (summed over workers). */
  workerPeakRssKiB: number;
  workerRssKiB: number;
  /**
   * `ru_maxrss` as mediasoup's `getResourceUsage()` reports it (via `WorkerPool.resourceUsage()`
   * on the platform path), KiB. Kept for reference only: on Linux it includes the Node
   * parent's memory at spawn time (see `processMemory`).
   */
  workerRuMaxRssKiB: number;
  /** Growth of this Node process's RSS and heap (after GC) from before setup to the window's end, bytes. */
  nodeRssDelta: number;
  nodeHeapDelta: number;
  /** CPU time of this Node process (signaling objects, sinks) in the window, ms. */
  nodeCpuMs: number;
  /** Setup time of the fan-out (transports, producers, consumers), ms. */
  setupMs: number;
}

/** Timing of a run. */
export interface RunOptions {
  /** Seconds of forwarding before the measuring window (keyframe, ramp-up). */
  warmupSeconds: number;
  /** Length of the measuring window, s. */
  seconds: number;
  source: SourceSettings;
}

/** Thrown when a receiver got no video or no audio: the bench is broken, not slow. */
export class SilentReceiverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SilentReceiverError';
  }
}

const CREATE: Record<FanoutPath, (o: { sinkPorts: number[] }) => Promise<Fanout>> = {
  platform: createPlatformFanout,
  bare: createBareFanout,
};

/**
 * Sets up one path on a fresh worker, feeds it from a fresh ffmpeg, measures over the window,
 * then tears everything down and waits for the worker and ffmpeg to exit.
 */
export async function runOnce(path: FanoutPath, sinks: RtpSink[], options: RunOptions): Promise<RunResult> {
  const memoryBefore = settledMemory();
  const setupStart = performance.now();
  const fanout = await CREATE[path]({ sinkPorts: sinks.map((s) => s.port) });
  const setupMs = performance.now() - setupStart;
  const margin = 15;
  const source = startSource(
    fanout.videoIngest,
    fanout.audioIngest,
    options.warmupSeconds + options.seconds + margin,
    options.source,
  );
  try {
    await Promise.race([sleep(options.warmupSeconds * 1000), source.failed]);
    const countsBefore = sinks.map((s) => s.snapshot());
    const usageBefore = await fanout.usage();
    const nodeCpuBefore = process.cpuUsage();
    const start = performance.now();
    await Promise.race([sleep(options.seconds * 1000), source.failed]);
    const usageAfter = await fanout.usage();
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    const elapsedMs = performance.now() - start;
    const counts = sinks.map((s, i) => diffCounts(countsBefore[i] ?? s.snapshot(), s.snapshot()));
    const workerMemory = await Promise.all(fanout.workerPids.map(processMemory));
    const memoryAfter = settledMemory();

    const { video, audio } = fanout.payloadTypes;
    counts.forEach((c, i) => {
      const v = c.packetsByPt[video] ?? 0;
      const a = c.packetsByPt[audio] ?? 0;
      if (v === 0 || a === 0)
        throw new SilentReceiverError(
          `${path}, K=${sinks.length}: receiver ${i} got ${v} video and ${a} audio packets`,
        );
    });
    return {
      k: sinks.length,
      path,
      seconds: elapsedMs / 1000,
      forwardedStreams: sinks.length * 2,
      packets: counts.reduce((n, c) => n + (c.packetsByPt[video] ?? 0) + (c.packetsByPt[audio] ?? 0), 0),
      bytes: counts.reduce((n, c) => n + c.rtpBytes, 0),
      workerCpuMs: usageAfter.cpuMs - usageBefore.cpuMs,
      workerPeakRssKiB: workerMemory.reduce((n, m) => n + m.peakRssKiB, 0),
      workerRssKiB: workerMemory.reduce((n, m) => n + m.rssKiB, 0),
      workerRuMaxRssKiB: usageAfter.maxRssKiB,
      nodeRssDelta: memoryAfter.rss - memoryBefore.rss,
      nodeHeapDelta: memoryAfter.heapUsed - memoryBefore.heapUsed,
      nodeCpuMs: (nodeCpu.user + nodeCpu.system) / 1000,
      setupMs,
    };
  } finally {
    await source.stop();
    fanout.close();
    await waitForExit(fanout.workerPids);
  }
}
