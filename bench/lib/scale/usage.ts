import fs from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const HZ = 100;

/**
 * CPU seconds used so far by each of `roots` and every process descended from it (a server's
 * mediasoup workers; PostgreSQL's backends, which leave the postmaster's process group).
 */
export function groupCpuSeconds(roots: readonly number[]): Map<number, number> {
  const procs = new Map<number, { ppid: number; seconds: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command (which may hold spaces), from field 3 (state) on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    procs.set(Number(entry), {
      ppid: Number(fields[1]),
      seconds: (Number(fields[11]) + Number(fields[12])) / HZ,
    });
  }
  const totals = new Map(roots.map((r) => [r, 0]));
  for (const [pid, { seconds }] of procs) {
    let at: number | undefined = pid;
    while (at !== undefined && at > 1 && !totals.has(at)) at = procs.get(at)?.ppid;
    if (at !== undefined && totals.has(at)) totals.set(at, totals.get(at)! + seconds);
  }
  return totals;
}

/** CPU use of each group between two readings, % of one core. */
export function cpuPercent(
  before: Map<number, number>,
  after: Map<number, number>,
  seconds: number,
): Map<number, number> {
  return new Map([...after].map(([g, s]) => [g, (100 * (s - (before.get(g) ?? 0))) / seconds]));
}

/** A server process's heap in use and resident memory, MiB, from its own /metrics (loopback). */
export async function serverMemory(port: number): Promise<{ heapMiB: number; rssMiB: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string): number =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapMiB: value('nodejs_heap_size_used_bytes') / 2 ** 20,
    rssMiB: value('process_resident_memory_bytes') / 2 ** 20,
  };
}

/** The machine's 1-minute load average (what else was running shows here). */
export const loadAverage = (): number => os.loadavg()[0]!;
