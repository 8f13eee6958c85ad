import type { JobStatus, PipelineStatus } from './tables.ts';

/** What the state machine needs to know of a job. */
export interface JobState {
  name: string;
  status: JobStatus;
  when: 'on_success' | 'on_failure' | 'always' | 'manual';
  allowFailure: boolean;
  needs: string[];
  /** `needs:` written in the file (a DAG edge), not implied by stage order. */
  needsWasDeclared: boolean;
}

export const ACTIVE_STATUSES: readonly JobStatus[] = ['created', 'pending', 'running'];
export const FINISHED_STATUSES: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped'];

export function isFinished(status: JobStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

/**
 * Whether a finished job means "something went wrong before": it failed (and was not allowed
 * to), was canceled, or was skipped because of such a failure further up. A job skipped for a
 * harmless reason (an `on_failure` job in a green pipeline) does not count.
 */
function brokenChain(states: Map<string, JobState>): (name: string) => boolean {
  const memo = new Map<string, boolean>();
  const visit = (name: string): boolean => {
    if (memo.has(name)) return memo.get(name)!;
    memo.set(name, false); // cycles cannot occur (needs point to earlier stages); guard anyway
    const job = states.get(name);
    let broken = false;
    if (job) {
      if (job.status === 'failed') broken = !job.allowFailure;
      else if (job.status === 'canceled') broken = true;
      else if (job.status === 'skipped') broken = job.needs.some(visit);
    }
    memo.set(name, broken);
    return broken;
  };
  return visit;
}

/**
 * The status a `created` job moves to once its dependencies allow, or undefined while it must
 * wait. A manual job blocks what comes after it only when it may not fail (GitLab's rule), or
 * when a later job names it in `needs`.
 */
export function nextStatus(job: JobState, states: Map<string, JobState>): JobStatus | undefined {
  const deps = job.needs.map((n) => states.get(n)).filter((d): d is JobState => d !== undefined);
  const waiting = deps.some((d) => ACTIVE_STATUSES.includes(d.status) || (d.status === 'manual' && (job.needsWasDeclared || !d.allowFailure)));
  if (waiting) return undefined;
  const broken = brokenChain(states);
  const failed = deps.some((d) => broken(d.name));
  switch (job.when) {
    case 'on_success':
      return failed ? 'skipped' : 'pending';
    case 'on_failure':
      return failed ? 'pending' : 'skipped';
    case 'always':
      return 'pending';
    case 'manual':
      return failed ? 'skipped' : 'manual';
  }
}

/** A pipeline's status from its jobs' (latest attempts only). */
export function pipelineStatusOf(jobs: readonly JobState[]): PipelineStatus {
  if (jobs.length === 0) return 'skipped';
  if (jobs.some((j) => j.status === 'running')) return 'running';
  if (jobs.some((j) => j.status === 'pending')) {
    return jobs.some((j) => isFinished(j.status) && j.status !== 'skipped') ? 'running' : 'pending';
  }
  // Nothing can move without a person: a blocking manual job, or jobs waiting behind one.
  if (jobs.some((j) => j.status === 'created') || jobs.some((j) => j.status === 'manual' && !j.allowFailure)) return 'manual';
  if (jobs.some((j) => j.status === 'failed' && !j.allowFailure)) return 'failed';
  if (jobs.some((j) => j.status === 'canceled')) return 'canceled';
  if (jobs.every((j) => j.status === 'skipped' || j.status === 'manual')) return jobs.some((j) => j.status === 'manual') ? 'manual' : 'skipped';
  return 'success';
}
