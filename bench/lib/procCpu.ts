import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's CPU times (Linux's USER_HZ, 100 on every common build). */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used (user + system, all its threads, not its children), ms, from /proc (Linux). */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** CPU time of several processes at once, ms each (0 for one that is gone). */
export async function cpuOf(pids: Record<string, number>): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(pids).map(async ([name, pid]) => [name, await processCpuMs(pid).catch(() => 0)] as const),
  );
  return Object.fromEntries(entries);
}
