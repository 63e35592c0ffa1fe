import { Worker } from 'node:worker_threads';

const BOOT = new URL('./boot.mjs', import.meta.url);

/** What a worker entry posts: progress along the way, then its result or why it failed. */
export type ThreadMessage = { type: 'progress' } | { type: 'done' } | { type: 'failed'; message: string };

/**
 * Runs the TypeScript module `entry` (loaded through `boot.mjs`, which registers tsx in the
 * thread) with `data` as its workerData: its progress messages go to `onProgress`, its `done`
 * message resolves, a `failed` one or an exit other than 0 rejects (`what` names the thread),
 * and `signal` terminates the thread and rejects.
 */
export function runInThread<M extends ThreadMessage>(
  entry: URL,
  data: Record<string, unknown>,
  what: string,
  onProgress: (message: Extract<M, { type: 'progress' }>) => void,
  signal: AbortSignal,
): Promise<Extract<M, { type: 'done' }>> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const worker = new Worker(BOOT, { workerData: { entry: entry.href, ...data } });
    const stop = (): void => {
      reject(signal.reason as Error);
      void worker.terminate();
    };
    signal.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: M) => {
      if (message.type === 'progress') onProgress(message as Extract<M, { type: 'progress' }>);
      else if (message.type === 'failed') reject(new Error((message as { message: string }).message));
      else resolve(message as Extract<M, { type: 'done' }>);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal.removeEventListener('abort', stop);
      if (code !== 0) reject(new Error(`${what} thread exited with code ${code}`));
    });
  });
}
