import type { FanoutPath } from './fanout.ts';
import type { RunResult } from './run.ts';
import { textTable } from './results.ts';

/** Medians over the runs of one path at one K (Node RSS growth: the minimum, see below). */
export interface PathSummary {
  runs: number;
  /** Forwarded RTP bitrate summed over all receivers, kbit/s. */
  forwardedKbps: number;
  /** Forwarded RTP packets per second, all receivers. */
  packetsPerSecond: number;
  /** Worker CPU, % of one core. */
  workerCpuPercent: number;
  /** Worker CPU per forwarded stream, ms of CPU per second of wall time. */
  cpuMsPerSecondPerStream: number;
  /** Worker CPU per forwarded RTP packet, µs. */
  cpuUsPerPacket: number;
  /** Worker peak RSS (VmHWM), MiB. */
  workerPeakRssMiB: number;
  /**
   * Growth of the Node process's RSS over a run, MiB: the minimum over runs, since RSS hardly
   * ever shrinks (the allocator keeps freed pages) and whichever run comes first after the
   * priming runs absorbs the harness's own growth (the sinks' receive buffers).
   */
  nodeRssDeltaMiB: number;
  /** Growth of the Node heap after GC over a run, MiB. */
  nodeHeapDeltaMiB: number;
  nodeCpuPercent: number;
}

/** Platform vs bare at one K. */
export interface KSummary {
  k: number;
  forwardedStreams: number;
  platform: PathSummary;
  bare: PathSummary;
  /** platform / bare: worker CPU per forwarded packet, and worker peak RSS. */
  ratio: { cpuPerPacket: number; cpuPerStream: number; workerPeakRss: number };
  /** platform − bare: Node process RSS and heap growth, MiB. */
  nodeDeltaDifferenceMiB: { rss: number; heap: number };
}

const MiB = 1024 * 1024;

/** The median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? NaN;
  return sorted.length % 2 ? upper : ((sorted[mid - 1] ?? NaN) + upper) / 2;
}

function summarizePath(runs: RunResult[]): PathSummary {
  const m = (f: (r: RunResult) => number): number => median(runs.map(f));
  return {
    runs: runs.length,
    forwardedKbps: m((r) => (r.bytes * 8) / r.seconds / 1000),
    packetsPerSecond: m((r) => r.packets / r.seconds),
    workerCpuPercent: m((r) => r.workerCpuMs / r.seconds / 10),
    cpuMsPerSecondPerStream: m((r) => r.workerCpuMs / r.seconds / r.forwardedStreams),
    cpuUsPerPacket: m((r) => (r.workerCpuMs * 1000) / r.packets),
    workerPeakRssMiB: m((r) => r.workerPeakRssKiB / 1024),
    nodeRssDeltaMiB: Math.min(...runs.map((r) => r.nodeRssDelta / MiB)),
    nodeHeapDeltaMiB: m((r) => r.nodeHeapDelta / MiB),
    nodeCpuPercent: m((r) => r.nodeCpuMs / r.seconds / 10),
  };
}

/** Groups runs by K and compares the medians of the two paths. */
export function summarize(runs: RunResult[]): KSummary[] {
  const ks = [...new Set(runs.map((r) => r.k))];
  return ks.map((k) => {
    const of = (path: FanoutPath): PathSummary =>
      summarizePath(runs.filter((r) => r.k === k && r.path === path));
    const platform = of('platform');
    const bare = of('bare');
    return {
      k,
      forwardedStreams: 2 * k,
      platform,
      bare,
      ratio: {
        cpuPerPacket: platform.cpuUsPerPacket / bare.cpuUsPerPacket,
        cpuPerStream: platform.cpuMsPerSecondPerStream / bare.cpuMsPerSecondPerStream,
        workerPeakRss: platform.workerPeakRssMiB / bare.workerPeakRssMiB,
      },
      nodeDeltaDifferenceMiB: {
        rss: platform.nodeRssDeltaMiB - bare.nodeRssDeltaMiB,
        heap: platform.nodeHeapDeltaMiB - bare.nodeHeapDeltaMiB,
      },
    };
  });
}

/** The report as printed: one row per K and path, then the ratios. */
export function formatTable(summaries: KSummary[]): string {
  const header = [
    'K',
    'path',
    'runs',
    'fwd kbit/s',
    'pkt/s',
    'worker CPU %',
    'ms/s per stream',
    'µs/packet',
    'worker peak RSS MiB',
    'node ΔRSS MiB (min)',
    'node Δheap MiB',
  ];
  const rows: string[][] = [];
  for (const s of summaries) {
    for (const path of ['platform', 'bare'] as const) {
      const p = s[path];
      rows.push([
        String(s.k),
        path,
        String(p.runs),
        p.forwardedKbps.toFixed(0),
        p.packetsPerSecond.toFixed(0),
        p.workerCpuPercent.toFixed(1),
        p.cpuMsPerSecondPerStream.toFixed(3),
        p.cpuUsPerPacket.toFixed(2),
        p.workerPeakRssMiB.toFixed(1),
        p.nodeRssDeltaMiB.toFixed(1),
        p.nodeHeapDeltaMiB.toFixed(2),
      ]);
    }
  }
  const ratios = summaries.map(
    (s) =>
      `K=${s.k} (${s.forwardedStreams} streams): platform/bare CPU per packet ${s.ratio.cpuPerPacket.toFixed(3)}, ` +
      `per stream ${s.ratio.cpuPerStream.toFixed(3)}, worker RSS ${s.ratio.workerPeakRss.toFixed(3)}; ` +
      `node ΔRSS ${signed(s.nodeDeltaDifferenceMiB.rss)} MiB, Δheap ${signed(s.nodeDeltaDifferenceMiB.heap)} MiB`,
  );
  return [...textTable(header, rows), '', ...ratios].join('\n');
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}
