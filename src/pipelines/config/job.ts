import { JOB_KEYWORDS, JOB_WHEN, readAllowFailure, readArtifacts, readEnvironment, readImage, readResourceGroup, readRetry, readTimeout, type Retry } from './keywords.ts';
import { expandCount, expandMatrix, readParallel } from './matrix.ts';
import { readNeeds, type NeedRef } from './needs.ts';
import { asMap, checkKeys, keywordValue, optional, readOneOf, readScript, readString, readStringArray, readVariables, type Errors } from './readers.ts';
import { readRules } from './rules.ts';
import type { ArtifactsSpec, JobSpec, When } from './types.ts';
import { errorAt, type MapEntry, type Pos } from './yaml-source.ts';

/** What `default:` gives every job that does not set the keyword itself. */
export interface JobDefaults {
  image?: string;
  beforeScript?: string[];
  afterScript?: string[];
  tags?: string[];
  retry?: Retry;
  timeoutSeconds?: number;
  artifacts?: ArtifactsSpec;
}

/** A job read from YAML, with what the whole-file checks need besides the spec. */
export interface ReadJob {
  spec: JobSpec;
  stagePos: Pos;
  /** Where `environment:` is written, for the errors about its `on_stop` job. */
  environmentPos?: Pos;
  needRefs?: NeedRef[];
  instanceNames: string[];
}

export function readJob(entry: MapEntry, defaults: JobDefaults, errors: Errors): ReadJob | undefined {
  const name = entry.key;
  const map = asMap(entry.value, name, errors);
  if (!map) return undefined;
  checkKeys(map, JOB_KEYWORDS, name, errors);
  const value = (key: string) => keywordValue(map, key);

  const scriptNode = value('script');
  const script = scriptNode ? readScript(scriptNode, `${name}:script`, errors) : undefined;
  if (!scriptNode) errors.push(errorAt(entry.keyPos, `${name} config should implement the script: keyword`));
  else if (script && script.length === 0) errors.push(errorAt(scriptNode.pos, `${name}:script config can't be blank`));

  const stageNode = value('stage');
  const when = optional(value('when'), (node) => readOneOf(node, JOB_WHEN, `${name}:when`, errors)) ?? 'on_success';
  const rules = optional(value('rules'), (node) => readRules(node, `${name}:rules`, 'job', errors));
  const allowFailure = optional(value('allow_failure'), (node) => readAllowFailure(node, `${name}:allow_failure`, errors));
  const needRefs = optional(value('needs'), (node) => readNeeds(node, `${name}:needs`, errors));
  const parallel = optional(value('parallel'), (node) => readParallel(node, name, errors));

  const spec: JobSpec = {
    name,
    stage: (stageNode && readString(stageNode, `${name}:stage`, errors)) || 'test',
    script: script ?? [],
    beforeScript: optional(value('before_script'), (node) => readScript(node, `${name}:before_script`, errors)) ?? defaults.beforeScript ?? [],
    afterScript: optional(value('after_script'), (node) => readScript(node, `${name}:after_script`, errors)) ?? defaults.afterScript ?? [],
    tags: optional(value('tags'), (node) => readStringArray(node, `${name}:tags`, errors)) ?? defaults.tags ?? [],
    when,
    allowFailure: allowFailure ?? defaultAllowFailure(when, rules !== undefined),
    retry: optional(value('retry'), (node) => readRetry(node, `${name}:retry`, errors)) ?? defaults.retry ?? { max: 0, when: ['always'] },
    variables: optional(value('variables'), (node) => readVariables(node, `${name}:variables`, errors)) ?? {},
    line: entry.keyPos.line,
  };
  const image = optional(value('image'), (node) => readImage(node, `${name}:image`, errors)) ?? defaults.image;
  if (image !== undefined) spec.image = image;
  if (rules) spec.rules = rules;
  if (needRefs) {
    spec.needs = needRefs.map((need) => need.job);
    const optionalNeeds = needRefs.filter((need) => need.optional).map((need) => need.job);
    if (optionalNeeds.length > 0) spec.optionalNeeds = optionalNeeds;
  }
  const timeout = optional(value('timeout'), (node) => readTimeout(node, `${name}:timeout`, errors)) ?? defaults.timeoutSeconds;
  if (timeout !== undefined) spec.timeoutSeconds = timeout;
  const artifacts = optional(value('artifacts'), (node) => readArtifacts(node, `${name}:artifacts`, errors)) ?? defaults.artifacts;
  if (artifacts) spec.artifacts = artifacts;
  const dependencies = optional(value('dependencies'), (node) => readStringArray(node, `${name}:dependencies`, errors));
  if (dependencies) spec.dependencies = dependencies;
  const environment = optional(value('environment'), (node) => readEnvironment(node, `${name}:environment`, errors));
  if (environment) spec.environment = environment;
  const resourceGroup = optional(value('resource_group'), (node) => readResourceGroup(node, `${name}:resource_group`, errors));
  if (resourceGroup) spec.resourceGroup = resourceGroup;
  if (parallel && 'matrix' in parallel) spec.matrix = parallel.matrix;
  if (parallel && 'count' in parallel) spec.parallel = parallel.count;

  const instances = spec.matrix ? expandMatrix(name, spec.matrix) : spec.parallel ? expandCount(name, spec.parallel) : [];
  return {
    spec,
    stagePos: stageNode?.pos ?? entry.keyPos,
    ...(environment ? { environmentPos: value('environment')!.pos } : {}),
    ...(needRefs ? { needRefs } : {}),
    instanceNames: instances.map((instance) => instance.name),
  };
}

/**
 * GitLab lets a manual job fail by default, so that it does not block the pipeline, but not a
 * job made manual by `rules:`: there a rule's `allow_failure` (or an explicit one) decides.
 */
function defaultAllowFailure(when: When, hasRules: boolean): boolean {
  return when === 'manual' && !hasRules;
}
