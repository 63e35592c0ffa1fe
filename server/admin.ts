/**
 * Account administration from the command line (`npm run admin -- …`), for a platform
 * without demo data, where no account has a known password:
 *
 *   npm run admin -- create <username> [--role admin|bureau|coordinator] [--region 430725]
 *
 * prints a one-time password; its owner sets their own at first sign-in. Uses the same
 * database as the server (MONGODB_URI, or the embedded FerretDB under DATA_DIR: stop the
 * server first when it uses the embedded one).
 */
import { parseArgs } from 'node:util';
import type mongoose from 'mongoose';
import { z } from 'zod';
import { createAccount } from './auth/accounts.ts';
import { loadConfig } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import { EmbeddedFerretDb, defaultFerretdbBin } from './db/EmbeddedFerretDb.ts';
import { createLogger } from './logger.ts';
import { createModels, syncIndexes } from './models/index.ts';
import { parseInput } from './validate.ts';

const Args = z.object({
  command: z.literal('create', { error: 'the command is "create"' }),
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{3,32}$/, '3–32 of a-z 0-9 . _ -'),
  role: z.enum(['admin', 'bureau', 'coordinator']).default('admin'),
  region: z
    .string()
    .regex(/^\d{6}$/, 'a 6-digit region code')
    .optional(),
});

const { values, positionals } = parseArgs({
  options: { role: { type: 'string' }, region: { type: 'string' } },
  allowPositionals: true,
});
const config = loadConfig();
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
let ferret: EmbeddedFerretDb | undefined;
let connection: mongoose.Connection | undefined;
try {
  const args = parseInput(
    Args,
    { command: positionals[0], username: positionals[1], role: values.role, region: values.region },
    'arguments (npm run admin -- create <username> [--role admin|bureau|coordinator] [--region 430725])',
  );
  if (args.role === 'bureau' && !args.region) throw new Error('a bureau account needs --region');
  let uri = config.mongodbUri;
  if (!uri) {
    ferret = await EmbeddedFerretDb.start({
      bin: config.ferretdbBin ?? defaultFerretdbBin(),
      dataDir: config.dataDir,
      logger,
    });
    uri = ferret.uri;
  }
  connection = await connectDatabase(uri, logger, { embedded: ferret !== undefined });
  const models = createModels(connection);
  await syncIndexes(models);
  const { username, password } = await createAccount(models, {
    username: args.username,
    role: args.role,
    regionCode: args.region ?? null,
  });
  process.stdout.write(
    `\n  ${args.role} account "${username}" created. One-time password: ${password}\n` +
      `  (${username} sets a password of their own at first sign-in.)\n\n`,
  );
  process.exitCode = 0;
} catch (error) {
  process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await connection?.close();
  await ferret?.stop();
}
