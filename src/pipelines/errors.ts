import { defineErrors } from '../shared/errors.ts';

type Status = { status: string };
type Detail = { detail: string };

/**
 * Every error the CI API, the runner protocol and the git endpoints answer with, declared once.
 * The runner protocol's refusals keep GitLab's words and status codes: GitLab Runner reads the
 * status (403 stops a job), people read the words.
 */
export const PipelineErrors = defineErrors('pipelines', {
  // Runner protocol
  INVALID_RUNNER_TOKEN: { kind: 'forbidden', message: '403 Forbidden: invalid runner token' },
  INVALID_REGISTRATION_TOKEN: { kind: 'forbidden', message: '403 Forbidden: invalid registration token' },
  INVALID_JOB_TOKEN: { kind: 'forbidden', message: '403 Forbidden: invalid job token' },
  JOB_NOT_RUNNING: { kind: 'forbidden', message: ({ status }: Status) => `403 Forbidden: the job is ${status}` },
  CONTENT_RANGE_MISSING: { kind: 'invalid', message: '400 Missing header Content-Range' },
  TRACE_CHUNK_TOO_LARGE: { kind: 'too_large', message: 'a log chunk may be at most 1 MiB' },
  TRACE_RANGE: { kind: 'range_not_satisfiable', message: ({ size }: { size: number }) => `the log is ${size} bytes long; send the next chunk from there` },
  // Job artifacts and reports
  ARTIFACT_EXISTS: { kind: 'invalid', message: ({ type }: { type: string }) => `another artifact of the same type (${type}) already exists for this job` },
  ARTIFACT_NOT_FOUND: { kind: 'not_found', message: '404 Artifact Not Found' },
  ARTIFACT_TYPE_UNSUPPORTED: { kind: 'invalid', message: ({ types }: { types: readonly string[] }) => `artifact_type must be one of ${types.join(', ')}` },
  ARTIFACT_FORMAT_UNSUPPORTED: { kind: 'invalid', message: ({ type, format }: { type: string; format: string }) => `artifact_format for ${type} must be ${format}` },
  ARTIFACT_NOT_ZIP: { kind: 'invalid', message: ({ detail }: Detail) => `the archive is not a readable zip: ${detail}` },
  ARTIFACT_NOT_GZIP: { kind: 'invalid', message: 'the report is not a gzip file' },
  ARCHIVE_TOO_BIG: { kind: 'invalid', message: ({ entries, limit }: { entries: number; limit: number }) => `the archive has ${entries} entries; at most ${limit} can be listed` },
  REPORT_TOO_LARGE: { kind: 'invalid', message: ({ limit }: { limit: number }) => `a report may be at most ${limit} bytes` },
  INVALID_EXPIRE_IN: { kind: 'invalid', message: ({ given }: { given: string }) => `expire_in '${given.slice(0, 50)}' is not a duration` },
  DOTENV_TOO_LARGE: { kind: 'invalid', message: ({ detail }: Detail) => `the dotenv report ${detail}` },
  DOTENV_INVALID: { kind: 'invalid', message: ({ line }: { line: number }) => `dotenv report line ${line}: expected KEY=value` },
  JUNIT_INVALID: { kind: 'invalid', message: ({ detail }: Detail) => `the JUnit report is not valid XML: ${detail}` },
  // Pipelines and jobs
  VARIABLE_EXISTS: { kind: 'already_exists', message: ({ key }: { key: string }) => `(${key}) has already been taken` },
  PIPELINE_FILTERED: { kind: 'invalid', message: ({ reason }: { reason: string }) => `Pipeline filtered out: ${reason}` },
  MISSING_CI_CONFIG: { kind: 'invalid', message: ({ detail }: Detail) => `Missing CI config file: ${detail}` },
  REF_NOT_FOUND: { kind: 'invalid', message: ({ ref }: { ref: string }) => `Reference not found: ${ref}` },
  JOB_NOT_RETRYABLE: { kind: 'invalid', message: ({ detail }: Detail) => detail },
  PIPELINE_NOT_RETRYABLE: { kind: 'invalid', message: 'Pipeline has no failed or canceled jobs to retry' },
  JOB_NOT_CANCELABLE: { kind: 'invalid', message: ({ status }: Status) => `Job is ${status} and cannot be canceled` },
  JOB_NOT_PLAYABLE: { kind: 'invalid', message: ({ status }: Status) => `Job is ${status}, not manual: it cannot be played` },
  WEBHOOK_REJECTED: { kind: 'invalid', message: ({ detail }: Detail) => detail },
  WEBHOOK_NOT_VERIFIED: { kind: 'unauthenticated', message: ({ detail }: Detail) => detail },
  // Repositories and git
  REPOSITORY_NOT_FOUND: { kind: 'not_found', message: '404 Repository Not Found' },
  REPOSITORY_UNREACHABLE: { kind: 'invalid', message: 'The repository could not be reached or is not allowed' },
  GIT_COMMAND_FAILED: { kind: 'unavailable', message: ({ detail }: Detail) => detail },
  COMMIT_NOT_FOUND: { kind: 'not_found', message: ({ sha }: { sha: string }) => `Commit ${sha} Not Found` },
  FILE_NOT_TEXT: { kind: 'invalid', message: ({ path, sha }: { path: string; sha: string }) => `File '${path}' at ${sha} is not UTF-8 text` },
  INVALID_REF: { kind: 'invalid', message: ({ detail }: Detail) => detail },
  INVALID_SHA: { kind: 'invalid', message: ({ given }: { given: string }) => `'${given.slice(0, 100)}' is not a commit sha` },
  INVALID_PATH: { kind: 'invalid', message: ({ given }: { given: string }) => `'${given.slice(0, 100)}' is not a valid path in a repository` },
  GIT_AUTH_REQUIRED: { kind: 'unauthenticated', message: 'HTTP Basic: Access denied' },
  GIT_PUSH_REFUSED: { kind: 'forbidden', message: 'Modelyard serves repositories read-only: push to the linked repository' },
  GIT_SMART_HTTP_ONLY: { kind: 'invalid', message: 'only git smart-HTTP is served: ?service=git-upload-pack' },
});
