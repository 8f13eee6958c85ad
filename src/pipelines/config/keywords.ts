import { ONE_WEEK_SECONDS, parseDuration } from './durations.ts';
import { asMap, checkKeys, readBoolean, readInteger, readOneOf, readString, readStringArray, type Errors } from './readers.ts';
import type { ArtifactsSpec, EnvironmentSpec, When } from './types.ts';
import { errorAt, type SourceNode } from './yaml-source.ts';

/**
 * The keyword subset Modelyard runs, and readers for the keywords that have more than one form.
 * Anything outside these lists is refused with its line: a keyword silently ignored would run a
 * pipeline different from the one written.
 */

export const TOP_LEVEL_KEYWORDS = ['stages', 'variables', 'default', 'workflow', 'include'] as const;

/** GitLab's other global keywords: refused by name instead of being read as jobs. */
export const UNSUPPORTED_TOP_LEVEL = ['image', 'services', 'cache', 'before_script', 'after_script', 'spec'];

export const DEFAULT_KEYWORDS = ['image', 'before_script', 'after_script', 'tags', 'retry', 'timeout', 'artifacts'] as const;

export const JOB_KEYWORDS = [
  'stage',
  'script',
  'before_script',
  'after_script',
  'image',
  'tags',
  'rules',
  'needs',
  'when',
  'allow_failure',
  'retry',
  'timeout',
  'parallel',
  'artifacts',
  'environment',
  'variables',
  'resource_group',
  'dependencies',
] as const;

export const JOB_WHEN: readonly When[] = ['on_success', 'on_failure', 'always', 'manual', 'never'];

const RETRY_WHEN = [
  'always',
  'unknown_failure',
  'script_failure',
  'api_failure',
  'stuck_or_timeout_failure',
  'runner_system_failure',
  'runner_unsupported',
  'stale_schedule',
  'job_execution_timeout',
  'archived_failure',
  'unmet_prerequisites',
  'scheduler_failure',
  'data_integrity_failure',
];
// GitLab retries a job at most twice.
const MAX_RETRIES = 2;

const ARTIFACTS_WHEN = ['on_success', 'on_failure', 'always'] as const;
const ENVIRONMENT_ACTIONS = ['start', 'prepare', 'stop', 'verify', 'access'] as const;

export type Retry = { max: number; when: string[] };

export function readImage(node: SourceNode, what: string, errors: Errors): string | undefined {
  if (node.kind !== 'map') return readString(node, what, errors);
  checkKeys(node, ['name'], what, errors);
  const name = node.entries.find((e) => e.key === 'name');
  if (name) return readString(name.value, `${what}:name`, errors);
  errors.push(errorAt(node.pos, `${what} config should contain name`));
  return undefined;
}

export function readRetry(node: SourceNode, what: string, errors: Errors): Retry | undefined {
  if (node.kind === 'scalar') {
    const max = readInteger(node, 0, MAX_RETRIES, what, errors);
    return max === undefined ? undefined : { max, when: ['always'] };
  }
  const map = asMap(node, what, errors);
  if (!map) return undefined;
  checkKeys(map, ['max', 'when'], what, errors);
  const retry: Retry = { max: 0, when: ['always'] };
  const before = errors.length;
  for (const { key, value } of map.entries) {
    if (key === 'max') retry.max = readInteger(value, 0, MAX_RETRIES, `${what}:max`, errors) ?? 0;
    if (key === 'when') {
      const when = value.kind === 'seq' ? readStringArray(value, `${what}:when`, errors) : [readString(value, `${what}:when`, errors) ?? ''];
      const unknown = (when ?? []).filter((reason) => !RETRY_WHEN.includes(reason));
      if (unknown.length > 0) errors.push(errorAt(value.pos, `${what}:when contains unknown values: ${unknown.join(', ')}`));
      retry.when = when ?? [];
    }
  }
  return errors.length === before ? retry : undefined;
}

/** Seconds of a GitLab duration. */
export function readDuration(node: SourceNode, what: string, errors: Errors): number | undefined {
  const raw = node.kind === 'scalar' && (typeof node.value === 'string' || typeof node.value === 'number') ? node.value : undefined;
  const seconds = raw === undefined ? undefined : parseDuration(raw);
  if (seconds !== undefined && seconds > 0) return seconds;
  errors.push(errorAt(node.pos, `${what} config should be a duration`));
  return undefined;
}

export function readTimeout(node: SourceNode, what: string, errors: Errors): number | undefined {
  const seconds = readDuration(node, what, errors);
  if (seconds === undefined || seconds <= ONE_WEEK_SECONDS) return seconds;
  errors.push(errorAt(node.pos, `${what} config should not exceed 1 week`));
  return undefined;
}

export function readArtifacts(node: SourceNode, what: string, errors: Errors): ArtifactsSpec | undefined {
  const map = asMap(node, what, errors);
  if (!map) return undefined;
  checkKeys(map, ['paths', 'expire_in', 'when', 'name', 'untracked', 'exclude', 'reports'], what, errors);
  const artifacts: ArtifactsSpec = { paths: [] };
  const before = errors.length;
  for (const { key, value } of map.entries) {
    if (key === 'paths') artifacts.paths = readStringArray(value, `${what}:paths`, errors) ?? [];
    if (key === 'name') artifacts.name = readString(value, `${what}:name`, errors);
    if (key === 'untracked') artifacts.untracked = readBoolean(value, `${what}:untracked`, errors);
    if (key === 'exclude') artifacts.exclude = readStringArray(value, `${what}:exclude`, errors) ?? [];
    if (key === 'reports') {
      const reports = readReports(value, `${what}:reports`, errors);
      if (reports) artifacts.reports = reports;
    }
    if (key === 'when') {
      const when = readOneOf(value, ARTIFACTS_WHEN, `${what}:when`, errors);
      if (when) artifacts.when = when;
    }
    if (key === 'expire_in') {
      if (value.kind === 'scalar' && value.value === 'never') artifacts.neverExpire = true;
      else {
        const seconds = readDuration(value, `${what}:expire_in`, errors);
        if (seconds !== undefined) artifacts.expireInSeconds = seconds;
      }
    }
  }
  return errors.length === before ? artifacts : undefined;
}

/** The report kinds Modelyard reads; GitLab's others are refused by name rather than ignored. */
const REPORT_KINDS = ['dotenv', 'junit'] as const;

function readReports(node: SourceNode, what: string, errors: Errors): ArtifactsSpec['reports'] | undefined {
  const map = asMap(node, what, errors);
  if (!map) return undefined;
  checkKeys(map, REPORT_KINDS, what, errors);
  const reports: NonNullable<ArtifactsSpec['reports']> = {};
  for (const { key, value } of map.entries) {
    if (!(REPORT_KINDS as readonly string[]).includes(key)) continue;
    const paths = value.kind === 'seq' ? readStringArray(value, `${what}:${key}`, errors) : [readString(value, `${what}:${key}`, errors) ?? ''];
    if (paths && paths.every((p) => p !== '')) reports[key as (typeof REPORT_KINDS)[number]] = paths;
  }
  return reports;
}

const DEPLOYMENT_TIERS = ['production', 'staging', 'testing', 'development', 'other'] as const;

/** GitLab's `environment:`, a name or `{name, url, action, deployment_tier, on_stop, auto_stop_in}`. */
export function readEnvironment(node: SourceNode, what: string, errors: Errors): EnvironmentSpec | undefined {
  if (node.kind !== 'map') {
    const name = readString(node, what, errors);
    if (name === '') errors.push(errorAt(node.pos, `${what} config should contain name`));
    return name ? { name, action: 'start' } : undefined;
  }
  checkKeys(node, ['name', 'action', 'url', 'deployment_tier', 'on_stop', 'auto_stop_in'], what, errors);
  const before = errors.length;
  const environment: EnvironmentSpec = { name: '', action: 'start' };
  for (const { key, value } of node.entries) {
    if (key === 'name') environment.name = readString(value, `${what}:name`, errors) ?? '';
    if (key === 'action') environment.action = readOneOf(value, ENVIRONMENT_ACTIONS, `${what}:action`, errors) ?? 'start';
    if (key === 'url') {
      const url = readString(value, `${what}:url`, errors);
      if (url !== undefined) environment.url = url;
    }
    if (key === 'deployment_tier') {
      const tier = readOneOf(value, DEPLOYMENT_TIERS, `${what}:deployment_tier`, errors);
      if (tier) environment.deploymentTier = tier;
    }
    if (key === 'on_stop') {
      const job = readString(value, `${what}:on_stop`, errors);
      if (job) environment.onStop = job;
    }
    if (key === 'auto_stop_in') {
      if (value.kind === 'scalar' && value.value === 'never') environment.autoStopInSeconds = 'never';
      else {
        const seconds = readDuration(value, `${what}:auto_stop_in`, errors);
        if (seconds !== undefined) environment.autoStopInSeconds = seconds;
      }
    }
  }
  if (environment.name === '' && errors.length === before) errors.push(errorAt(node.pos, `${what} config should contain name`));
  return errors.length === before ? environment : undefined;
}

/** `resource_group`: letters, digits, `-`, `_`, `/`, `$`, `{`, `}`, `.` and spaces, as GitLab accepts. */
export function readResourceGroup(node: SourceNode, what: string, errors: Errors): string | undefined {
  const group = readString(node, what, errors);
  if (group === undefined) return undefined;
  if (!/^[A-Za-z0-9_./${} -]{1,255}$/.test(group)) {
    errors.push(errorAt(node.pos, `${what} config should be a string of letters, digits, '-', '_', '/', '$', '{', '}', '.' and spaces`));
    return undefined;
  }
  return group;
}

/** `allow_failure: true|false`; the `exit_codes` form is refused by name. */
export function readAllowFailure(node: SourceNode, what: string, errors: Errors): boolean | undefined {
  if (node.kind === 'map') {
    errors.push(errorAt(node.pos, `${what}:exit_codes is not supported; use true or false`));
    return undefined;
  }
  return readBoolean(node, what, errors);
}
