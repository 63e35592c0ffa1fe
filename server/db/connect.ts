import mongoose from 'mongoose';
import type { Logger } from '../logger.ts';

/**
 * Connects to the database at `uri`. On FerretDB (the embedded one-box default, or FerretDB
 * over PostgreSQL) the connection takes one command at a time.
 *
 * Why: FerretDB 1.x applies an update as a query and then a write, outside one transaction
 * (`internal/handler/msg_update.go`, and `findAndModify` likewise), so two updates of one
 * document at the same time can each write the document as they read it: one of them is lost.
 * Through a pool of 20 connections, 299 of 300 triples of concurrent updates of one lesson
 * (its end, its recording's copy, its delivery judgement) lost at least one; through one
 * connection, none of 200 (`tests/integration/concurrentWrites.test.ts` keeps this). One
 * connection serializes this process's commands, so FerretDB never has two of them under way;
 * commands of other processes on the same database are not covered (see the README).
 * MongoDB applies each update atomically and keeps the driver's pool.
 */
export async function connectDatabase(
  uri: string,
  logger: Logger,
  { embedded = false }: { embedded?: boolean } = {},
): Promise<mongoose.Connection> {
  const options = { serverSelectionTimeoutMS: 15_000 };
  const single = { ...options, maxPoolSize: 1 };
  // The embedded database is FerretDB: no need to ask.
  if (embedded) return mongoose.createConnection(uri, single).asPromise();
  const connection = await mongoose.createConnection(uri, options).asPromise();
  const info = await connection.db!.admin().command({ buildInfo: 1 });
  const ferretdb = info['ferretdbVersion'] as string | undefined;
  if (ferretdb === undefined) return connection;
  await connection.close();
  logger.info({ ferretdb }, 'FerretDB: one command at a time (its updates are not atomic)');
  return mongoose.createConnection(uri, single).asPromise();
}
