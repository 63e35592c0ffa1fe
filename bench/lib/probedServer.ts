import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopServerProcess } from '../../tests/helpers/serverProcess.ts';
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
 * Starts `server/main.ts` as `tests/helpers/serverProcess.ts` does (its own process group, free
 * port, data in `dataDir`), with the probe loaded before it; resolves once it listens.
 */
export async function startProbedServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ProbedServer> {
  const probeFile = path.join(dataDir, 'probe.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', PROBE, 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SFU_WORKERS: '1',
      ...env,
      PROCESS_PROBE_FILE: probeFile,
    },
    detached: true,
    // stderr shown (an unread pipe could fill and stall the server).
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /running at (http:\/\/localhost:\d+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
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
