/** The user a private cluster runs as: `postgres` when we are root, else ourselves (undefined). */
export interface PostgresUser {
  uid: number;
  gid: number;
}
/** Folder of the newest PostgreSQL server binaries Debian installed. */
export function postgresBinDir(): string;
/** `{ uid, gid }` of `postgres` when we are root, else undefined. */
export function postgresUser(): PostgresUser | undefined;
/** Makes `runDir` traversable by the cluster's user; throws when a folder above it is not. */
export function ensureReachable(runDir: string, user: PostgresUser | undefined): void;
/** Creates the cluster in `dataDir` unless one is there; whether it was created now. */
export function initCluster(options: {
  binDir: string;
  dataDir: string;
  passwordFile: string;
  user: PostgresUser | undefined;
}): boolean;
/** The superuser's password kept at init. */
export function readPassword(passwordFile: string): string;
/** Arguments of the postmaster in the foreground on 127.0.0.1:`port`. */
export function postmasterArgs(options: { dataDir: string; port: number }): string[];
/** Whether the server on `port` accepts connections. */
export function ready(options: { binDir: string; port: number }): boolean;
/** Creates database `name` unless it exists; whether it was created now. */
export function ensureDatabase(options: {
  binDir: string;
  port: number;
  password: string;
  name: string;
}): boolean;
/** `pg_ctl stop -m fast`. */
export function stopFast(options: {
  binDir: string;
  dataDir: string;
  user: PostgresUser | undefined;
  seconds?: number;
}): { status: number | null };
/** FerretDB 1.x over this PostgreSQL: its arguments and environment. */
export function ferretdbOverPostgres(options: {
  port: number;
  stateDir: string;
  pgPort: number;
  password: string;
}): { args: string[]; env: NodeJS.ProcessEnv };
