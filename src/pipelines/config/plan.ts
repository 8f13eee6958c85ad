import { environmentVariables, expandEnvironment, expandVariables } from './environment-of-job.ts';
import { expandCount, expandMatrix, type Instance } from './matrix.ts';
import { matchRule } from './rules.ts';
import type { CompiledConfig, ConfigError, JobSpec, PlannedJob, PlanResult } from './types.ts';

/**
 * Decides which jobs one pipeline holds: workflow rules first, then each job's (and each matrix
 * instance's) rules, then who waits for whom. `variables` are the pipeline's own (predefined,
 * trigger, manual): they see and override the YAML variables when rules are evaluated, and are
 * not copied into the planned jobs, whose variables are the YAML ones.
 */

export const FILTERED_BY_WORKFLOW = 'Pipeline filtered out by workflow rules.';
export const NO_JOBS = 'no jobs';
export const ONLY_PRE_POST = 'the pipeline would contain only .pre or .post jobs';

type Unlinked = Omit<PlannedJob, 'needs'> & { spec: JobSpec };

export function planPipeline(config: CompiledConfig, variables: Record<string, string>): PlanResult {
  let globals = config.variables;
  if (config.workflowRules) {
    const rule = matchRule(config.workflowRules, { ...config.variables, ...variables });
    if (!rule || rule.when === 'never') return { created: false, reason: FILTERED_BY_WORKFLOW };
    globals = { ...config.variables, ...rule.variables };
  }
  const stageIndexOf = (job: JobSpec) => config.stages.indexOf(job.stage);
  const inStageOrder = [...config.jobs].sort((a, b) => stageIndexOf(a) - stageIndexOf(b));
  const planned = inStageOrder.flatMap((job) =>
    instancesOf(job).flatMap((instance) => {
      const one = planInstance(job, instance, stageIndexOf(job), globals, variables);
      return one ? [one] : [];
    }),
  );

  if (planned.length === 0) return { created: false, reason: NO_JOBS };
  // GitLab does not create a pipeline of only set-up and clean-up jobs.
  if (planned.every((job) => job.stage === '.pre' || job.stage === '.post')) return { created: false, reason: ONLY_PRE_POST };
  const errors: ConfigError[] = [];
  const jobs = planned.map((job) => link(job, planned, errors));
  return errors.length > 0 ? { created: false, errors } : { created: true, jobs };
}

function instancesOf(job: JobSpec): Instance[] {
  if (job.matrix) return expandMatrix(job.name, job.matrix);
  if (job.parallel) return expandCount(job.name, job.parallel);
  return [{ name: job.name, variables: {} }];
}

function planInstance(job: JobSpec, instance: Instance, stageIndex: number, globals: Record<string, string>, pipeline: Record<string, string>): Unlinked | undefined {
  let jobVariables = { ...globals, ...job.variables, ...instance.variables };
  let when = job.when;
  let allowFailure = job.allowFailure;
  if (job.rules) {
    const rule = matchRule(job.rules, { ...jobVariables, ...pipeline });
    if (!rule) return undefined;
    when = rule.when ?? job.when;
    allowFailure = rule.allowFailure ?? job.allowFailure;
    jobVariables = { ...jobVariables, ...rule.variables };
  }
  if (when === 'never') return undefined;
  // `environment:` and `resource_group:` may name variables (`review/$CI_COMMIT_REF_SLUG`).
  const environment = job.environment ? expandEnvironment(job.environment, { ...jobVariables, ...pipeline }) : undefined;
  if (environment) jobVariables = { ...environmentVariables(environment), ...jobVariables };
  const resourceGroup = job.resourceGroup ? expandVariables(job.resourceGroup, { ...jobVariables, ...pipeline }) : undefined;
  return {
    spec: job,
    name: instance.name,
    baseName: job.name,
    stage: job.stage,
    stageIndex,
    script: job.script,
    beforeScript: job.beforeScript,
    afterScript: job.afterScript,
    ...(job.image !== undefined ? { image: job.image } : {}),
    tags: job.tags,
    when,
    allowFailure,
    retry: job.retry,
    ...(job.timeoutSeconds !== undefined ? { timeoutSeconds: job.timeoutSeconds } : {}),
    ...(job.artifacts ? { artifacts: job.artifacts } : {}),
    ...(job.dependencies ? { dependencies: job.dependencies } : {}),
    ...(environment ? { environment } : {}),
    ...(resourceGroup ? { resourceGroup } : {}),
    variables: jobVariables,
    needsWasDeclared: job.needs !== undefined,
  };
}

/**
 * Resolves needs to planned-job names. A need on a matrix job means all of its instances; a
 * need on a job that rules left out fails the pipeline, as in GitLab, unless it is optional.
 */
function link(job: Unlinked, planned: readonly Unlinked[], errors: ConfigError[]): PlannedJob {
  const { spec, ...linked } = job;
  // `dependencies:` names jobs as written; a matrix job stands for its instances, a job rules left out for none.
  const rest =
    spec.dependencies === undefined
      ? linked
      : { ...linked, dependencies: planned.filter((other) => spec.dependencies!.includes(other.baseName) || spec.dependencies!.includes(other.name)).map((other) => other.name) };
  if (spec.needs === undefined) {
    return { ...rest, needs: planned.filter((other) => other.stageIndex < job.stageIndex).map((other) => other.name) };
  }
  const needs: string[] = [];
  for (const need of spec.needs) {
    const targets = planned.filter((other) => other.baseName === need || other.name === need).map((other) => other.name);
    if (targets.length > 0) needs.push(...targets.filter((name) => !needs.includes(name)));
    else if (!spec.optionalNeeds?.includes(need)) {
      const message =
        `'${spec.name}' job needs '${need}' job, but '${need}' does not exist in the pipeline. ` +
        'This might be because of the rules keyword. To need a job that sometimes does not exist in the pipeline, use needs:optional.';
      // Matrix instances of one job share the mistake: say it once.
      if (!errors.some((error) => error.message === message)) errors.push({ line: spec.line, column: 1, message });
    }
  }
  return { ...rest, needs };
}
