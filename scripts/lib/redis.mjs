// How the cluster runs Debian's redis-server: on loopback, its append-only file in `dir` (the
// durable jobs live there), no RDB snapshots, in the foreground. One definition for
// scripts/cluster.mjs and the failover test, which restarts the same Redis under a lesson.

/**
 * @param {number} port
 * @param {string} dir
 * @returns {string[]} redis-server's arguments
 */
export function redisServerArgs(port, dir) {
  return [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--save', '', '--appendonly', 'yes', '--daemonize', 'no'],
  ];
}
