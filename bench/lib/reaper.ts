/**
 * Makes sure nothing the bench started outlives it: ffmpeg senders and mediasoup workers are
 * registered here and stopped on normal exit, on an uncaught error and on SIGINT/SIGTERM.
 */

const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: one failing cleanup must not keep the others from running.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      runAll();
      process.exit(code);
    });
  }
}

/**
 * Registers a synchronous cleanup to run if the process ends before it is unregistered.
 * @returns a function that unregisters it (call it once the thing was stopped normally)
 */
export function onExit(cleanup: () => void): () => void {
  install();
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

/** Sends SIGKILL to `pid`, ignoring a process that is already gone. */
export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already exited.
  }
}

/** Whether a process with this id still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until every process in `pids` has exited, killing the stragglers after `timeoutMs`. */
export async function waitForExit(pids: number[], timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) {
      pids.forEach(killPid);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
