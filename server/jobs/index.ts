import type { Logger } from '../logger.ts';
import { BullMqJobs } from './BullMqJobs.ts';
import { InProcessJobs } from './InProcessJobs.ts';
import type { JobBackend } from './JobQueue.ts';

export type {
  JobBackend,
  JobContext,
  JobFiles,
  JobKind,
  JobQueue,
  JobSnapshot,
  JobState,
  JobStats,
} from './JobQueue.ts';
export { JobIdParams, isJobId } from './JobQueue.ts';
export { BullMqJobs } from './BullMqJobs.ts';
export type { BullMqJobsOptions } from './BullMqJobs.ts';
export { InProcessJobs } from './InProcessJobs.ts';

/**
 * The job back end for this process: BullMQ on the Redis at `redisUrl` (server processes
 * share their jobs), or, without one, jobs in this process's memory (the one-box default).
 */
export async function startJobs(redisUrl: string | undefined, logger: Logger): Promise<JobBackend> {
  return redisUrl ? BullMqJobs.connect(redisUrl, logger) : new InProcessJobs(logger);
}
