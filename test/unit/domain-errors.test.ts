import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactsErrors } from '../../src/artifacts/errors.ts';
import { PipelineErrors } from '../../src/pipelines/errors.ts';
import { errorCatalog } from '../../src/shared/errors.ts';
import { InputErrors } from '../../src/shared/input-errors.ts';
import { StorageErrors } from '../../src/storage/errors.ts';
import { TrackingErrors } from '../../src/tracking/errors.ts';

/**
 * Clients match on these codes and texts (the MLflow client on MLflow's wording, scripts on
 * GitLab's), so each keeps the code, status and words it had before it was declared by name.
 */
const answer = (error: { code: string; message: string; kind: string }) => ({ code: error.code, kind: error.kind, message: error.message });

describe('named errors of tracking, artifacts and storage', () => {
  it('keep the texts each place answered, under one declaration per code', () => {
    expect(answer(TrackingErrors.TAG_NOT_FOUND({ key: 'k', experimentId: 3 }))).toEqual({ code: 'TAG_NOT_FOUND', kind: 'not_found', message: 'No tag with name: k in experiment with id 3 Not Found' });
    expect(TrackingErrors.TAG_NOT_FOUND({ key: 'k', runId: 'abc' }).message).toBe('No tag with name: k in run with id abc');
    expect(TrackingErrors.TAG_NOT_FOUND({ key: 'k', loggedModelId: 'm-1' }).message).toBe("No tag with key 'k' on logged model 'm-1'");
    expect(TrackingErrors.TAG_NOT_FOUND({ key: 'k' }).message).toBe("No tag with key 'k'");
    expect(TrackingErrors.EXPERIMENT_NOT_FOUND({ id: 7 }).message).toBe('No Experiment with id=7 exists');
    expect(TrackingErrors.EXPERIMENT_NOT_FOUND({ name: 'x' }).message).toBe("Could not find experiment with name 'x'");
    expect(answer(TrackingErrors.EXPERIMENT_EXISTS({ name: 'x' }))).toEqual({ code: 'EXPERIMENT_EXISTS', kind: 'already_exists', message: 'Experiment(name=x) already exists.' });
    expect(answer(ArtifactsErrors.PATH_CLASH({ path: 'a/b', file: 'a' }))).toEqual({ code: 'PATH_CLASH', kind: 'conflict', message: '"a" is a file, so "a/b" cannot be created under it' });
    expect(ArtifactsErrors.PATH_CLASH({ path: 'a', isDirectory: true }).message).toBe('"a" is a directory');
  });

  it('fold the two FILE_TOO_LARGE texts and the UNSAFE_PATH texts of the stores into one declaration each', () => {
    expect(answer(StorageErrors.FILE_TOO_LARGE({ maxBytes: 10 }))).toEqual({
      code: 'FILE_TOO_LARGE',
      kind: 'too_large',
      message: '413 Payload Too Large: the file is larger than the limit of 10 bytes',
    });
    expect(StorageErrors.FILE_TOO_LARGE({ path: '.modelyard-ci.yml', commit: 'abc123', maxBytes: 10 }).message).toBe("File '.modelyard-ci.yml' at abc123 is larger than 10 bytes");
    expect(StorageErrors.UNSAFE_PATH({ problem: 'outside_root' }).message).toBe('the path leads outside the artifact root');
    expect(StorageErrors.UNSAFE_PATH({ what: 'path', problem: 'not_allowed', path: 'a/../b', reason: '"." and ".." segments' }).message).toBe('path "a/../b" is not allowed: "." and ".." segments');
    const declared = errorCatalog().filter((entry) => ['tracking', 'artifacts', 'storage'].includes(entry.domain));
    expect(declared.map((entry) => `${entry.domain} ${entry.code} ${entry.status}`)).toEqual([
      'tracking EXPERIMENT_EXISTS 409',
      'tracking EXPERIMENT_NOT_FOUND 404',
      'storage FILE_TOO_LARGE 413',
      'storage INVALID_PART 400',
      'storage LENGTH_REQUIRED 400',
      'tracking LOGGED_MODEL_NOT_FOUND 404',
      'storage PART_MISSING 400',
      'storage PART_TOO_SMALL 400',
      'artifacts PATH_CLASH 409',
      'artifacts PREVIEW_NOT_HTML 400',
      'artifacts PREVIEW_TOO_LARGE 413',
      'tracking RUN_NOT_FOUND 404',
      'tracking TAG_NOT_FOUND 404',
      'storage UNSAFE_PATH 400',
    ]);
  });
});

/** Every error code written as a literal at a call site (`invalid('…', 'CODE')`, `new AppError('kind', 'CODE', …)`), with where. */
function literalCodes(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...literalCodes(full));
    else if (entry.name.endsWith('.ts') && entry.name !== 'errors.ts' && !entry.name.endsWith('-errors.ts')) {
      fs.readFileSync(full, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const helper = /\b(?:invalid|notFound|forbidden|unauthenticated|alreadyExists|conflict)\(.*,\s*'([A-Z][A-Z0-9_]+)'\)/.exec(line);
          const direct = /new AppError\(\s*'[a-z_]+',\s*'([A-Z][A-Z0-9_]+)'/.exec(line);
          for (const match of [helper, direct]) if (match) found.push(`${path.relative('src', full)}:${index + 1} ${match[1]}`);
        });
    }
  }
  return found;
}

describe('error codes', () => {
  it('are declared once, in an errors file, and used by name: no call site spells a domain code', () => {
    // The generic codes are the helpers' defaults; anything more specific is a named error.
    const generic = new Set(['INVALID_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'ALREADY_EXISTS', 'CONFLICT']);
    expect(literalCodes('src').filter((entry) => !generic.has(entry.split(' ')[1]!))).toEqual([]);
  });

  it('of the CI API, the runner protocol and request parsing keep their words', () => {
    expect(answer(PipelineErrors.JOB_NOT_RUNNING({ status: 'canceled' }, { jobStatus: 'canceled' }))).toEqual({
      code: 'JOB_NOT_RUNNING',
      kind: 'forbidden',
      message: '403 Forbidden: the job is canceled',
    });
    expect(answer(PipelineErrors.TRACE_RANGE({ size: 12 }))).toEqual({ code: 'TRACE_RANGE', kind: 'range_not_satisfiable', message: 'the log is 12 bytes long; send the next chunk from there' });
    expect(PipelineErrors.PIPELINE_FILTERED({ reason: 'workflow rules' }).message).toBe('Pipeline filtered out: workflow rules');
    expect(PipelineErrors.VARIABLE_EXISTS({ key: 'K' }).message).toBe('(K) has already been taken');
    expect(InputErrors.MALFORMED_JSON({}).message).toBe('malformed JSON in the request body');
    expect(InputErrors.MALFORMED_JSON({ detail: 'x' }).message).toBe('malformed JSON in the request body: x');
    expect(answer(InputErrors.RANGE_NOT_SATISFIABLE({ header: 'bytes=9-', size: 3 }))).toEqual({
      code: 'RANGE_NOT_SATISFIABLE',
      kind: 'range_not_satisfiable',
      message: '416 Range Not Satisfiable: bytes=9- of 3 bytes',
    });
  });
});
