import { invalid } from '../shared/errors.ts';
import { previewValue } from '../shared/preview.ts';

/** MLflow's limits (mlflow/utils/validation.py), so that what MLflow accepts is accepted here and no more. */
export const LIMITS = {
  maxParamsTagsPerBatch: 100,
  maxMetricsPerBatch: 1000,
  maxEntitiesPerBatch: 1000,
  maxDatasetsPerBatch: 1000,
  maxKeyLength: 250,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
  maxExperimentNameLength: 500,
  maxExperimentTagKeyLength: 250,
  maxExperimentTagValueLength: 20_000,
  maxDatasetNameLength: 500,
  maxDatasetDigestLength: 36,
  maxDatasetSchemaLength: 1_048_575,
  maxDatasetSourceLength: 65_535,
  maxDatasetProfileLength: 16_777_215,
  maxInputTagKeyLength: 255,
  maxInputTagValueLength: 500,
  maxRunNameLength: 250,
  maxSearchResults: 50_000,
  defaultSearchResults: 1000,
} as const;

const NAME_PATTERN = /^[/\w.\- :]*$/;

/** `Invalid value "x" for parameter 'key' supplied: ...`, MLflow's wording, with the value cut short. */
/** `spelled`: the value as the caller wrote it, where JSON.parse loses it (`9.0`; see json-number-spelling.ts). */
export function invalidValue(path: string, value: unknown, message?: string, spelled?: string) {
  const shown = spelled ?? previewValue(value);
  return invalid(message ? `Invalid value ${shown} for parameter '${path}' supplied: ${message}` : `Invalid value ${shown} for parameter '${path}' supplied.`);
}

export function missingValue(path: string) {
  return invalid(`Missing value for required parameter '${path}'.`);
}

/** A name that would resolve to another one when treated as a file path (`a/../b`, `./a`). */
function pathNotUnique(name: string): boolean {
  // The usual key has no slash: it is its own path unless it is '', '.' or '..' (ingest runs hot here).
  if (!name.includes('/')) return name === '' || name === '.' || name.startsWith('..');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const normalized = parts.join('/');
  return normalized !== name || normalized === '' || name.startsWith('..') || name.startsWith('/');
}

/** Metric, param and tag keys: `[/\w.\- :]`, at most 250 characters, not path-like. */
export function validateKey(key: unknown, path: string, what: string): string {
  if (typeof key !== 'string') throw invalidValue(path, key ?? '', `${what} name cannot be None. A key name must be provided.`);
  if (!NAME_PATTERN.test(key)) {
    throw invalidValue(path, key, 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).');
  }
  if (pathNotUnique(key)) throw invalidValue(path, key, `Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`);
  if (key.length > LIMITS.maxKeyLength) throw invalid(`'${path}' exceeds the maximum length of ${LIMITS.maxKeyLength} characters`);
  return key;
}

export function validateLength(value: string, limit: number, path: string): string {
  if (value.length > limit) throw invalid(`'${path}' exceeds the maximum length of ${limit} characters`);
  return value;
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (entity: string, limit: number, count: number) => {
    if (count > limit) {
      throw invalid(`A batch logging request can contain at most ${limit} ${entity}. Got ${count} ${entity}. Please split up ${entity} across multiple requests and try again.`);
    }
  };
  check('metrics', LIMITS.maxMetricsPerBatch, metrics);
  check('params', LIMITS.maxParamsTagsPerBatch, params);
  check('tags', LIMITS.maxParamsTagsPerBatch, tags);
  check('metrics, params, and tags', LIMITS.maxEntitiesPerBatch, metrics + params + tags);
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw invalid(`Invalid experiment name: '${typeof name === 'string' ? name : ''}'`);
  if (name.length > LIMITS.maxExperimentNameLength) throw invalid(`'name' exceeds the maximum length of ${LIMITS.maxExperimentNameLength} characters`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalid(`Invalid experiment name: control characters are not allowed`);
  return name;
}

export function validateTimestamp(value: number, path: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidValue(path, value, 'Timestamp must be a nonnegative long (64-bit integer)');
  return value;
}

export function validateMaxResults(value: number | undefined, fallback: number, maximum: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw invalidValue('max_results', value, 'It must be a positive integer.');
  if (value > maximum) throw invalid(`Invalid value ${value} for parameter 'max_results' supplied. It must be at most ${maximum}, but got value ${value}`);
  return value;
}
