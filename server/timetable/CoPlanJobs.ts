import { sameBellChange, sameLocalChange } from '../../scheduler/index.ts';
import type { ClusterProblem, Plan, PlanChoice, PlanOptions } from '../../scheduler/index.ts';
import type { CoPlanJobView } from '../contract/timetable.ts';
import { NotFoundError } from '../errors.ts';
import type { JobBackend, JobQueue, JobSnapshot } from '../jobs/index.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { CoPlanMessage } from './worker/coplan.ts';
import { runInThread } from './worker/inThread.ts';

/** A co-plan run as its queue keeps it (JSON): everything the process that runs it needs. */
interface CoPlanData {
  /** One run at a time per `${clusterId}/${term}`. */
  key: string;
  clusterId: string;
  term: string;
  problem: ClusterProblem;
  /** Digest of the data the plan is made from (see `problemFingerprint`). */
  fingerprint: string;
  /** Username of whoever started it. */
  createdBy: string;
  options: Omit<PlanOptions, 'onProgress' | 'now' | 'sessionCost' | 'allow'> & { timeLimitMs: number };
  /** A re-plan: the approvals of the plan it replaces, carried over where a school's part is unchanged. */
  approvals?: Approval[];
}

/** A school's approval of its part of a plan, and what that part was. */
export interface Approval {
  schoolId: string;
  by: string | null;
  at: string | null;
  note: string;
  part: SchoolPart;
}

/** What a plan asks of one school. */
export type SchoolPart = Pick<PlanChoice, 'bellChanges' | 'localChanges'>;

type CoPlanProgress = Omit<Extract<CoPlanMessage, { type: 'progress' }>, 'type'>;

interface CoPlanResult {
  placed: number;
  wanted: number;
}

/** A co-plan job as the API shows it, with the cluster it belongs to (for the scope check). */
export type CoPlanJob = CoPlanJobView & { clusterId: string };

const ENTRY = new URL('./worker/coplan.ts', import.meta.url);
/** Finished runs are kept this long for the progress bar to read, ms. */
const KEEP_MS = 10 * 60_000;

/** The schools a plan asks something of: bell changes or changes to their own timetable. */
export function schoolsTouched(plan: Pick<Plan, 'bellChanges' | 'localChanges'>): string[] {
  return [
    ...new Set([...plan.bellChanges.map((c) => c.schoolId), ...plan.localChanges.map((c) => c.schoolId)]),
  ];
}

/** One school's part of a plan (or of one of its alternatives). */
export function partOf(plan: SchoolPart, schoolId: string): SchoolPart {
  return {
    bellChanges: plan.bellChanges.filter((c) => c.schoolId === schoolId),
    localChanges: plan.localChanges.filter((c) => c.schoolId === schoolId),
  };
}

/** Whether two parts ask the same of a school (the same changes, in any order). */
export function samePart(a: SchoolPart, b: SchoolPart): boolean {
  return (
    a.bellChanges.length === b.bellChanges.length &&
    a.localChanges.length === b.localChanges.length &&
    a.bellChanges.every((x) => b.bellChanges.some((y) => sameBellChange(x, y))) &&
    a.localChanges.every((x) => b.localChanges.some((y) => sameLocalChange(x, y)))
  );
}

/**
 * The touched schools' parts of a plan, each pending unless `approvals` holds the school's
 * approval of the very same part (then carried over, `kept`).
 */
export function partsOf(plan: SchoolPart, approvals: readonly Approval[] = []) {
  return schoolsTouched(plan).map((schoolId) => {
    const was = approvals.find((a) => a.schoolId === schoolId);
    return was && samePart(was.part, partOf(plan, schoolId))
      ? {
          schoolId,
          decision: 'approved',
          by: was.by,
          at: was.at ? new Date(was.at) : null,
          note: was.note,
          kept: true,
        }
      : { schoolId, decision: 'pending', by: null, at: null, note: '', kept: false };
  });
}

/**
 * Co-plans (`scheduler/coplan`) as durable jobs (`server/jobs`), like solves: accepted by any
 * process, run by one in a worker thread, one at a time per cluster and term. The process that
 * runs it saves the plan (replacing the term's previous one, every touched school's decision
 * pending, or for a re-plan carried over where the school's part is unchanged) before the job
 * reads as done. A re-plan is the same kind of job, with the refusals in its options.
 */
export class CoPlanJobs {
  readonly #queue: JobQueue<CoPlanData, CoPlanProgress, CoPlanResult>;
  readonly #models: Models;
  readonly #log: Logger;

  constructor(jobs: JobBackend, models: Models, logger: Logger) {
    this.#models = models;
    this.#log = logger.child({ module: 'coplan' });
    this.#queue = jobs.queue<CoPlanData, CoPlanProgress, CoPlanResult>({
      name: 'timetable-coplan',
      keepMs: KEEP_MS,
      concurrency: 1,
      run: (data, { progress, signal }) => this.#run(data, progress, signal),
    });
  }

  /** Starts a co-plan, or returns the unfinished one of the same cluster and term. */
  async start(data: Omit<CoPlanData, 'key'>): Promise<CoPlanJob> {
    const key = `${data.clusterId}/${data.term}`;
    return view(await this.#queue.add({ ...data, key }, { key }));
  }

  /** Whether a co-plan of `${clusterId}/${term}` waits or runs. */
  running(key: string): boolean {
    return this.#queue.isRunning(key);
  }

  /** @throws NotFoundError for an unknown, expired or malformed id */
  async get(id: string): Promise<CoPlanJob> {
    const job = await this.#queue.get(id);
    if (!job) throw new NotFoundError(`co-plan job ${id} not found`);
    return view(job);
  }

  async #run(
    data: CoPlanData,
    progress: (value: CoPlanProgress) => void,
    signal: AbortSignal,
  ): Promise<CoPlanResult> {
    const started = Date.now();
    const { plan, baselinePlaced } = await planInThread(data.problem, data.options, progress, signal);
    await this.#models.CoPlan.updateOne(
      { clusterId: data.clusterId, term: data.term },
      {
        $set: {
          fingerprint: data.fingerprint,
          plan,
          baselinePlaced,
          schools: partsOf(plan, data.approvals),
          chosen: 0,
          refusedBellChanges: [],
          refusedLocalChanges: [],
          state: 'proposed',
          createdBy: data.createdBy,
          appliedAt: null,
          applied: null,
        },
      },
      { upsert: true },
    );
    this.#log.info(
      { key: data.key, ms: Date.now() - started, placed: plan.placed, wanted: plan.wanted },
      'co-planned',
    );
    return { placed: plan.placed, wanted: plan.wanted };
  }
}

/** Co-plans in a worker thread; `signal` terminates the thread (and rejects). */
async function planInThread(
  problem: ClusterProblem,
  options: CoPlanData['options'],
  onProgress: (value: CoPlanProgress) => void,
  signal: AbortSignal,
): Promise<{ plan: Plan; baselinePlaced: number }> {
  const done = await runInThread<CoPlanMessage>(
    ENTRY,
    { problem, options },
    'co-plan',
    ({ fraction, step, placed, wanted }) => onProgress({ fraction, step, placed, wanted }),
    signal,
  );
  return { plan: done.plan, baselinePlaced: done.baselinePlaced };
}

function view(job: JobSnapshot<CoPlanData, CoPlanProgress, CoPlanResult>): CoPlanJob {
  const { progress, result } = job;
  return {
    id: job.id,
    clusterId: job.data.clusterId,
    state: job.state === 'done' || job.state === 'failed' ? job.state : 'running',
    fraction: result ? 1 : (progress?.fraction ?? 0),
    placed: result?.placed ?? progress?.placed ?? 0,
    wanted: result?.wanted ?? job.data.problem.offerings.reduce((n, o) => n + o.periodsPerWeek, 0),
    error: job.error,
  };
}
