import { resolveIncludes, type TemplateSource } from './include.ts';
import { readJob, type JobDefaults, type ReadJob } from './job.ts';
import { DEFAULT_KEYWORDS, readArtifacts, readImage, readRetry, readTimeout, TOP_LEVEL_KEYWORDS, UNSUPPORTED_TOP_LEVEL } from './keywords.ts';
import { checkNeeds } from './needs.ts';
import { checkOnStopJobs } from './on-stop.ts';
import { asMap, checkKeys, keywordValue, optional, readScript, readStringArray, readVariables, type Errors } from './readers.ts';
import { readRules } from './rules.ts';
import type { CompileResult, ConfigError, RuleSpec } from './types.ts';
import { errorAt, parseYaml, type MapNode, type Pos, type SourceNode } from './yaml-source.ts';

/**
 * Compiles a `.gitlab-ci.yml`-style file into a CompiledConfig, or every error found in it,
 * each at its line. Pure: templates come from the caller, nothing is read from disk.
 * YAML is read as YAML 1.2 (`yes` is a string), where GitLab's Ruby loader uses 1.1.
 */

const DEFAULT_STAGES = ['build', 'test', 'deploy'];
const FIRST_STAGE = '.pre';
const LAST_STAGE = '.post';
const START: ConfigError = { line: 1, column: 1, message: '' };

export function compileConfig(content: string, options: { templates?: TemplateSource } = {}): CompileResult {
  const parsed = parseYaml(content);
  if (!parsed.root) {
    const errors = parsed.errors.length > 0 ? parsed.errors : [{ ...START, message: 'the pipeline configuration is empty' }];
    return { ok: false, errors };
  }
  const errors: Errors = [...parsed.errors];
  const written = asMap(parsed.root, 'root', errors);
  if (!written) return { ok: false, errors };
  const root = resolveIncludes(written, options.templates, errors);
  const value = (key: string) => keywordValue(root, key);

  const stages = readStages(value('stages'), errors);
  const variables = optional(value('variables'), (node) => readVariables(node, 'variables', errors)) ?? {};
  const defaults = optional(value('default'), (node) => readDefaults(node, errors)) ?? {};
  const workflowRules = optional(value('workflow'), (node) => readWorkflow(node, errors));
  const jobs = readJobs(root, defaults, errors);

  const owners = jobs.map((job) => {
    const stageIndex = stages.indexOf(job.spec.stage);
    if (stageIndex < 0) {
      errors.push(errorAt(job.stagePos, `${job.spec.name} job: chosen stage ${job.spec.stage} does not exist; available stages are ${stages.join(', ')}`));
    }
    return { name: job.spec.name, stageIndex, instanceNames: job.instanceNames, ...(job.needRefs ? { needs: job.needRefs } : {}) };
  });
  checkNeeds(owners, errors);
  checkDependencies(
    jobs.map((job, i) => ({ ...owners[i]!, dependencies: job.spec.dependencies, pos: job.stagePos })),
    errors,
  );
  checkOnStopJobs(jobs, errors);
  if (jobs.length === 0 && errors.length === 0) errors.push({ ...START, message: 'jobs config should contain at least one visible job' });

  if (errors.length > 0) return { ok: false, errors: sortByPosition(errors) };
  const config = { stages, variables, jobs: jobs.map((job) => job.spec), ...(workflowRules ? { workflowRules } : {}) };
  return { ok: true, config };
}

/** `.pre` and `.post` always open and close the list, whatever `stages:` says. */
function readStages(node: SourceNode | undefined, errors: Errors): string[] {
  const declared = node ? (readStringArray(node, 'stages', errors) ?? DEFAULT_STAGES) : DEFAULT_STAGES;
  const middle = [...new Set(declared)].filter((stage) => stage !== FIRST_STAGE && stage !== LAST_STAGE);
  return [FIRST_STAGE, ...middle, LAST_STAGE];
}

function readDefaults(node: SourceNode, errors: Errors): JobDefaults | undefined {
  const map = asMap(node, 'default', errors);
  if (!map) return undefined;
  checkKeys(map, DEFAULT_KEYWORDS, 'default', errors);
  const defaults: JobDefaults = {};
  for (const { key, value } of map.entries) {
    const what = `default:${key}`;
    if (value.kind === 'scalar' && value.value === null) continue;
    if (key === 'image') defaults.image = readImage(value, what, errors);
    if (key === 'before_script') defaults.beforeScript = readScript(value, what, errors);
    if (key === 'after_script') defaults.afterScript = readScript(value, what, errors);
    if (key === 'tags') defaults.tags = readStringArray(value, what, errors);
    if (key === 'retry') defaults.retry = readRetry(value, what, errors);
    if (key === 'timeout') defaults.timeoutSeconds = readTimeout(value, what, errors);
    if (key === 'artifacts') defaults.artifacts = readArtifacts(value, what, errors);
  }
  return defaults;
}

function readWorkflow(node: SourceNode, errors: Errors): RuleSpec[] | undefined {
  const map = asMap(node, 'workflow', errors);
  if (!map) return undefined;
  checkKeys(map, ['rules'], 'workflow', errors);
  const rules = map.entries.find((e) => e.key === 'rules');
  return rules ? readRules(rules.value, 'workflow:rules', 'workflow', errors) : undefined;
}

/** Every top-level key that is not a keyword is a job; hidden ones (`.name`) only feed anchors. */
function readJobs(root: MapNode, defaults: JobDefaults, errors: Errors): ReadJob[] {
  const jobs: ReadJob[] = [];
  for (const entry of root.entries) {
    if ((TOP_LEVEL_KEYWORDS as readonly string[]).includes(entry.key) || entry.key.startsWith('.')) continue;
    if (UNSUPPORTED_TOP_LEVEL.includes(entry.key)) {
      const hint = (DEFAULT_KEYWORDS as readonly string[]).includes(entry.key) ? `; use default:${entry.key}` : '';
      errors.push(errorAt(entry.keyPos, `root config contains unknown keys: ${entry.key}${hint}`));
      continue;
    }
    const job = readJob(entry, defaults, errors);
    if (job) jobs.push(job);
  }
  return jobs;
}

function sortByPosition(errors: ConfigError[]): ConfigError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** `dependencies:` names jobs of earlier stages only (GitLab's rule: their artifacts exist by then). */
function checkDependencies(jobs: { name: string; stageIndex: number; instanceNames: string[]; dependencies?: string[]; pos: Pos }[], errors: Errors): void {
  for (const job of jobs) {
    for (const dependency of job.dependencies ?? []) {
      const target = jobs.find((other) => other.name === dependency || other.instanceNames.includes(dependency));
      if (!target) errors.push(errorAt(job.pos, `${job.name} job: undefined dependency: ${dependency}`));
      else if (job.stageIndex >= 0 && target.stageIndex >= job.stageIndex) errors.push(errorAt(job.pos, `${job.name} job: dependency ${dependency} is not defined in prior stages`));
    }
  }
}
