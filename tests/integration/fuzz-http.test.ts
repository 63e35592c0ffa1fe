/**
 * schemathesis fuzzes every operation of the OpenAPI document against the real platform,
 * once as the admin and once as the cluster coordinator: no 5xx, every status documented,
 * every body of the documented media type and schema. schemathesis comes from PyPI into a
 * cached venv (`scripts/lib/schemathesis.mjs`, run by `npm test`'s setup).
 *
 * The run is bounded by examples per operation (seeded, so a failure reproduces) and by a
 * hard time limit. State-changing operations are fine: the database is a throwaway one.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs install script without type declarations
import { schemathesisBin } from '../../scripts/lib/schemathesis.mjs';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

/** The checks the issue asks for (schemathesis' others judge API design, not correctness). */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
];
/**
 * Time budget of each run, s: schemathesis goes through its phases (examples, the coverage
 * phase's boundary and negative cases, random fuzzing) over every operation, and repeats
 * fuzzing until the budget is spent. One run's phases take ~65 s alone on this 2-core
 * machine, so a loaded machine reaches fewer random cases, never a longer test.
 */
const BUDGET_S = 45;
/** Random cases per operation in one fuzzing cycle. */
const MAX_EXAMPLES = 5;
/** Hard limit of one run, ms: past it the run is killed and the test fails. */
const RUN_LIMIT_MS = (BUDGET_S + 45) * 1000;

interface RunResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** Ids the fuzzer must not touch (see tests/helpers/schemathesis_hooks.py). */
interface Protected {
  users: string[];
  clusters: string[];
}

/** Runs schemathesis against the platform's document with `token`; never blocks the event loop. */
function fuzz(url: string, token: string, reportDir: string, keep: Protected): Promise<RunResult> {
  const bin = (schemathesisBin as () => string)();
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run "node scripts/setup.mjs --for-tests"`);
  fs.mkdirSync(reportDir, { recursive: true });
  const args = [
    'run',
    `${url}/api/openapi.json`,
    '--checks',
    CHECKS.join(','),
    '--header',
    `Authorization: Bearer ${token}`,
    // Logging out ends the very session the fuzzer runs on.
    '--exclude-path',
    '/api/auth/logout',
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--max-time',
    String(BUDGET_S),
    '--seed',
    '20260',
    '--generation-database',
    'none',
    // One thread: CPython 3.11's ast is not thread-safe, and hypothesis parses lambdas with it
    // ("AST constructor recursion depth mismatch" with --workers 2).
    '--workers',
    '1',
    '--request-timeout',
    '20',
    '--no-color',
    '--output-truncate',
    'false',
  ];
  return new Promise((resolve, reject) => {
    // Its own cwd, so that nothing (a .hypothesis folder) lands in the repository.
    const child = spawn(bin, args, {
      cwd: reportDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYTHONPATH: path.resolve('tests/helpers'),
        SCHEMATHESIS_HOOKS: 'schemathesis_hooks',
        FUZZ_PROTECTED_IDS: JSON.stringify(keep.users),
        FUZZ_PROTECTED_CLUSTERS: JSON.stringify(keep.clusters),
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

describe('HTTP API under schemathesis', () => {
  let t: TestPlatform;
  let reportDir: string;
  const tokens: Record<'admin' | 'coordinator', string> = { admin: '', coordinator: '' };
  const keep: Protected = { users: [], clusters: [] };
  const get = async (path: string, token: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    t = await startPlatform();
    reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-fuzz-http-'));
    // Both logins before any fuzzing: the fuzzer's own login attempts may use up the limit.
    tokens.admin = await login(t.url, 'admin');
    tokens.coordinator = await login(t.url, 'coordinator');
    for (const token of Object.values(tokens)) {
      keep.users.push(((await get('/api/auth/me', token)).body as { id: string }).id);
    }
    const clusters = (await get('/api/clusters', tokens.coordinator)).body as { items: { id: string }[] };
    keep.clusters.push(...clusters.items.map((c) => c.id));
    expect(keep.clusters.length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await t?.close();
    if (t) removeDataDir(t.dataDir);
    if (reportDir) fs.rmSync(reportDir, { recursive: true, force: true });
  });

  it(
    'as the admin and as the coordinator at once: no 5xx, no undocumented status, every body of its documented type and schema',
    async () => {
      const accounts = ['admin', 'coordinator'] as const;
      const runs = await Promise.all(
        accounts.map((account) => fuzz(t.url, tokens[account], path.join(reportDir, account), keep)),
      );
      // Soft: each account's failures are shown, with schemathesis' own report.
      runs.forEach((run, i) => {
        const what = `schemathesis as the ${accounts[i]}`;
        expect.soft(run.timedOut, `${what} ran past ${RUN_LIMIT_MS / 1000} s:\n${run.output}`).toBe(false);
        expect.soft(run.code, `${what}:\n${run.output}`).toBe(0);
        // It tested something: a document that lost its operations must not pass.
        expect.soft(run.output, what).toMatch(/Tested: [1-9]\d/);
      });
      // Both accounts are still signed in: a run answered 401 throughout would prove nothing.
      for (const token of Object.values(tokens)) expect((await get('/api/auth/me', token)).status).toBe(200);
    },
    RUN_LIMIT_MS + 60_000,
  );
});
