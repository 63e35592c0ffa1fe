// Renders deploy/haproxy/haproxy.cfg.template for `npm run cluster` (scripts/cluster.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The template, relative to the repository root. */
export const HAPROXY_TEMPLATE = path.join('deploy', 'haproxy', 'haproxy.cfg.template');

/**
 * The configuration for `servers` ({ name, address, port }): HTTP round robin with health
 * checks on /api/health, socket.io by the `route` query parameter (consistent hashing), the
 * socket.io servers tracking the API servers' health checks (one check per process).
 */
export function renderHaproxyConfig({ root, bind, statsSocket, servers }) {
  const template = fs.readFileSync(path.join(root, HAPROXY_TEMPLATE), 'utf8');
  const values = {
    BIND: bind,
    STATS_SOCKET: statsSocket,
    API_SERVERS: servers.map((s) => `    server ${s.name} ${s.address}:${s.port} check`).join('\n'),
    SOCKET_SERVERS: servers
      .map((s) => `    server ${s.name} ${s.address}:${s.port} track api/${s.name}`)
      .join('\n'),
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key) => {
    if (!(key in values)) throw new Error(`${HAPROXY_TEMPLATE}: unknown placeholder ${whole}`);
    return values[key];
  });
}

/** Checks a configuration file with `haproxy -c`; throws with HAProxy's message. */
export function checkHaproxyConfig(file) {
  const res = spawnSync('haproxy', ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (res.error)
    throw new Error(`haproxy: ${res.error.message} (run "node scripts/setup.mjs --for-cluster")`);
  if (res.status !== 0) throw new Error(`haproxy -c ${file} failed:\n${res.stdout}${res.stderr}`);
}
