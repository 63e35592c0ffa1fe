import { readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
// A context created after the flag is set gets `gc`; the main context does not.
const gc = vm.runInNewContext('gc') as () => void;

/** Memory of this Node process after a full garbage collection, bytes. */
export function settledMemory(): { rss: number; heapUsed: number } {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/**
 * Current and peak resident set size of a process, KiB, from /proc (Linux).
 *
 * Not `getrusage().ru_maxrss`: Linux carries a process's maxrss across execve, so a worker
 * forked from Node reports a peak that includes its parent's memory at spawn time, not its own.
 */
export async function processMemory(pid: number): Promise<{ rssKiB: number; peakRssKiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rssKiB: field('VmRSS'), peakRssKiB: field('VmHWM') };
}
