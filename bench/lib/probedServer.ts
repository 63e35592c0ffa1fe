import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServerProcess, stopServerProcess } from '../../tests/helpers/serverProcess.ts';
import type { ProbeSample } from './processProbe.ts';

/** The real server as its own process, with `processProbe.ts` loaded into it. */
export interface ProbedServer {
  child: ChildProcess;
  /** Its process id (the Node process; FerretDB and the media workers are its children). */
  pid: number;
  url: string;
  /** Full GC in the server, then its memory and open handles (via SIGUSR2 and the probe file). */
  probe(): Promise<ProbeSample>;
  stop(): Promise<void>;
}

const PROBE = path.join(import.meta.dirname, 'processProbe.ts');

/**
 * Starts `server/main.ts` with `tests/helpers/serverProcess.ts` (its own process group, free
 * port, data in `dataDir`), with the probe loaded before it; resolves once it listens.
 */
export async function startProbedServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ProbedServer> {
  const probeFile = path.join(dataDir, 'probe.jsonl');
  const { child, url } = await startServerProcess(
    dataDir,
    { ...env, PROCESS_PROBE_FILE: probeFile },
    { imports: [PROBE] },
  );
  const lines = async (): Promise<string[]> =>
    (await readFile(probeFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return {
    child,
    pid: child.pid!,
    url,
    async probe() {
      const before = (await lines()).length;
      child.kill('SIGUSR2');
      for (let waited = 0; waited < 15_000; waited += 100) {
        await sleep(100);
        const now = await lines();
        if (now.length > before) return JSON.parse(now.at(-1)!) as ProbeSample;
      }
      throw new Error('the server did not answer the probe (SIGUSR2) within 15 s');
    },
    stop: () => stopServerProcess(child),
  };
}
