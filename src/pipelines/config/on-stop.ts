import type { Errors } from './readers.ts';
import type { JobSpec } from './types.ts';
import { errorAt, type Pos } from './yaml-source.ts';

/**
 * `environment:on_stop` names a job of the same file that stops the same environment, checked
 * as GitLab's YAML processor does and with its messages: a stop job that is missing, or that
 * would not stop this environment, would leave the environment impossible to stop by its job.
 */
export function checkOnStopJobs(jobs: readonly { spec: JobSpec; environmentPos?: Pos }[], errors: Errors): void {
  const byName = new Map(jobs.map((job) => [job.spec.name, job.spec]));
  for (const { spec, environmentPos } of jobs) {
    const onStop = spec.environment?.onStop;
    if (onStop === undefined || environmentPos === undefined) continue;
    const problem = onStopProblem(spec.environment!.name, byName.get(onStop));
    if (problem) errors.push(errorAt(environmentPos, `${spec.name} job: on_stop job ${onStop} ${problem}`));
  }
}

function onStopProblem(environment: string, stopJob: JobSpec | undefined): string | null {
  if (!stopJob) return 'is not defined';
  if (!stopJob.environment) return 'does not have environment defined';
  if (stopJob.environment.name !== environment) return 'have different environment name';
  if (stopJob.environment.action !== 'stop') return 'needs to have action stop defined';
  return null;
}
