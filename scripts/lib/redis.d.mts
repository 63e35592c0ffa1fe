/** redis-server's arguments for the cluster's Redis on `port`, its append-only file in `dir`. */
export function redisServerArgs(port: number, dir: string): string[];
