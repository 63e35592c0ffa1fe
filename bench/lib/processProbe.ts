/**
 * Loaded into a server process under test, before the server itself
 * (`node --import tsx --import ./bench/lib/processProbe.ts server/main.ts`), to let a benchmark
 * read its memory and open handles without an HTTP endpoint or a debugger port: on SIGUSR2 it
 * runs a full garbage collection and appends one JSON line (`ProbeSample`) to the file named
 * by `PROCESS_PROBE_FILE`. Without that variable it does nothing. Only a process allowed to
 * signal the server (its user, or root) can ask, and the answer goes to a file it named.
 */
import { appendFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

/** One reading of the process, written on SIGUSR2. */
export interface ProbeSample {
  /** Date.now() when read, ms. */
  at: number;
  /** process.memoryUsage() after a full GC, bytes. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** process.getActiveResourcesInfo() counted by type (sockets, servers, timers, pipes…). */
  resources: Record<string, number>;
}

const file = process.env['PROCESS_PROBE_FILE'];
if (file) {
  v8.setFlagsFromString('--expose-gc');
  // A context created after the flag is set gets `gc`; the main context does not.
  const gc = vm.runInNewContext('gc') as () => void;
  process.on('SIGUSR2', () => {
    gc();
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    const resources: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
    const sample: ProbeSample = {
      at: Date.now(),
      rss,
      heapUsed,
      heapTotal,
      external,
      arrayBuffers,
      resources,
    };
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  });
}
