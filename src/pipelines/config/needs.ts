import { asMap, checkKeys, readBoolean, readString, type Errors } from './readers.ts';
import { errorAt, type Pos, type SourceNode } from './yaml-source.ts';

/**
 * `needs:` as written, and the checks GitLab makes once every job is known: a need names a job
 * of the same or an earlier stage, and the needs of one stage do not go round in a circle.
 */

export interface NeedRef {
  job: string;
  optional: boolean;
  pos: Pos;
}

/** What the checks need to know of each job. */
export interface NeedsOwner {
  name: string;
  /** -1 when the job's stage is itself an error: its stage order is then not checked. */
  stageIndex: number;
  /** Matrix or `parallel: N` instance names, which a need may also name. */
  instanceNames: string[];
  needs?: NeedRef[];
}

export function readNeeds(node: SourceNode, what: string, errors: Errors): NeedRef[] | undefined {
  if (node.kind !== 'seq') {
    errors.push(errorAt(node.pos, `${what} config should be an array of strings or hashes`));
    return undefined;
  }
  const needs: NeedRef[] = [];
  for (const item of node.items) {
    if (item.kind === 'scalar') {
      const job = readString(item, `${what}:need`, errors);
      if (job !== undefined) needs.push({ job, optional: false, pos: item.pos });
      continue;
    }
    const map = asMap(item, `${what}:need`, errors);
    if (!map) continue;
    // `artifacts:` is accepted and has no effect: a job gets the artifacts of the jobs it needs.
    checkKeys(map, ['job', 'optional', 'artifacts'], `${what}:need`, errors);
    const need: NeedRef = { job: '', optional: false, pos: map.pos };
    for (const { key, value } of map.entries) {
      if (key === 'job') {
        need.job = readString(value, `${what}:need:job`, errors) ?? '';
        need.pos = value.pos;
      }
      if (key === 'optional') need.optional = readBoolean(value, `${what}:need:optional`, errors) ?? false;
      if (key === 'artifacts') readBoolean(value, `${what}:need:artifacts`, errors);
    }
    if (!map.entries.some((e) => e.key === 'job')) errors.push(errorAt(map.pos, `${what}:need config should contain job`));
    else needs.push(need);
  }
  // Even with errors, the valid needs are checked against the jobs: more mistakes reported at once.
  return dedupe(needs);
}

function dedupe(needs: NeedRef[]): NeedRef[] {
  const seen = new Set<string>();
  return needs.filter((need) => !seen.has(need.job) && seen.add(need.job));
}

/** Unknown needs, needs on later stages, and circles, in GitLab's words. */
export function checkNeeds(jobs: readonly NeedsOwner[], errors: Errors): void {
  const byName = new Map<string, NeedsOwner>();
  for (const job of jobs) {
    byName.set(job.name, job);
    for (const instance of job.instanceNames) byName.set(instance, job);
  }
  for (const job of jobs) {
    for (const need of job.needs ?? []) {
      const target = byName.get(need.job);
      if (!target) errors.push(errorAt(need.pos, `${job.name} job: undefined need: ${need.job}`));
      else if (job.stageIndex >= 0 && target.stageIndex > job.stageIndex) {
        errors.push(errorAt(need.pos, `${job.name} job: need ${need.job} is not defined in current or prior stages`));
      }
    }
  }
  reportCircles(jobs, byName, errors);
}

// Needs inside one stage may form a circle, which no order of running could satisfy.
function reportCircles(jobs: readonly NeedsOwner[], byName: Map<string, NeedsOwner>, errors: Errors): void {
  const state = new Map<NeedsOwner, 'visiting' | 'done'>();
  const reported = new Set<NeedsOwner>();
  const visit = (job: NeedsOwner): void => {
    state.set(job, 'visiting');
    for (const need of job.needs ?? []) {
      const target = byName.get(need.job);
      if (!target) continue;
      if (state.get(target) === 'visiting' && !reported.has(job)) {
        reported.add(job);
        errors.push(errorAt(need.pos, `${job.name} job: circular dependency detected in needs: ${need.job}`));
      } else if (!state.has(target)) visit(target);
    }
    state.set(job, 'done');
  };
  for (const job of jobs) if (!state.has(job)) visit(job);
}
