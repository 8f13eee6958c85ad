import { defineErrors } from '../shared/errors.ts';

type Source = { repo: string; endpoint: string };

/**
 * Import jobs' refusals. The source's own refusals (the Hub's `X-Error-Code`s) are answered when
 * the job is created (the revision is resolved then) and recorded as a failed job's error when
 * they come later (a file gone, a token revoked meanwhile).
 */
export const ImportErrors = defineErrors('imports', {
  IMPORT_JOB_NOT_FOUND: { kind: 'not_found', message: ({ id }: { id: number }) => `Import job ${id} not found` },
  IMPORT_ALREADY_FINISHED: { kind: 'conflict', message: ({ id, state }: { id: number; state: string }) => `Import job ${id} has already ended (${state}); there is nothing to cancel` },
  IMPORT_FINISHING: {
    kind: 'conflict',
    message: ({ id }: { id: number }) => `Import job ${id} has made its version and is finishing; it can no longer be canceled (delete the version instead)`,
  },
  IMPORT_SOURCE_NOT_ALLOWED: {
    kind: 'unprocessable',
    message: ({ endpoint }: { endpoint: string }) => `${endpoint} is not reachable under the outbound address policy (MODELYARD_OUTBOUND_ALLOW); ask an administrator to allow it`,
  },
  IMPORT_SOURCE_UNAVAILABLE: { kind: 'unavailable', message: ({ endpoint, detail }: { endpoint: string; detail: string }) => `${endpoint} could not be reached: ${detail}` },
  HF_REPO_NOT_FOUND: {
    kind: 'not_found',
    message: ({ repo, endpoint }: Source) => `Hugging Face repository ${repo} not found at ${endpoint} (a private repository needs a token that may read it)`,
  },
  HF_REVISION_NOT_FOUND: { kind: 'not_found', message: ({ repo, revision }: { repo: string; revision: string }) => `Revision ${JSON.stringify(revision)} of ${repo} not found` },
  HF_ENTRY_NOT_FOUND: { kind: 'not_found', message: ({ repo, path }: { repo: string; path: string }) => `File ${JSON.stringify(path)} not found in ${repo}` },
  HF_GATED_REPO: {
    kind: 'unprocessable',
    message: ({ repo }: { repo: string }) => `Hugging Face repository ${repo} is gated: accept its conditions on the Hub and import with a token of that account`,
  },
  HF_TOKEN_REFUSED: { kind: 'unprocessable', message: ({ endpoint }: { endpoint: string }) => `${endpoint} refused the Hugging Face token (invalid or expired)` },
  HF_BAD_ANSWER: { kind: 'unprocessable', message: ({ endpoint, detail }: { endpoint: string; detail: string }) => `${endpoint} did not answer as the Hugging Face Hub does: ${detail}` },
  VERTEX_KEY_MISSING: { kind: 'invalid', message: "A Vertex AI import needs a service account key: give `key`, or set the project's Google Cloud integration" },
  VERTEX_NO_ARTIFACTS: {
    kind: 'unprocessable',
    message: ({ resource, artifactUri }: { resource: string; artifactUri: string }) =>
      `Vertex AI model ${resource} has no Cloud Storage artifacts to import (artifactUri ${JSON.stringify(artifactUri)} is not a gs:// URI)`,
  },
  IMPORT_CREATOR_GONE: { kind: 'forbidden', message: 'The person who asked for this import no longer exists; ask for it again' },
  IMPORT_KIND_UNKNOWN: { kind: 'unprocessable', message: ({ kind }: { kind: string }) => `This server has no fetcher for imports of kind ${kind}` },
  IMPORT_NO_FILES: { kind: 'invalid', message: ({ repo }: { repo: string }) => `No file of ${repo} is left by the include and exclude patterns` },
  IMPORT_CHECKSUM_MISMATCH: {
    kind: 'unprocessable',
    message: ({ path, expected, actual }: { path: string; expected: string; actual: string }) => `${path}: its SHA-256 is ${actual}, the source announced ${expected}; the file was refused`,
  },
  IMPORT_SIZE_MISMATCH: {
    kind: 'unprocessable',
    message: ({ path, expected, actual }: { path: string; expected: number; actual: number }) => `${path}: ${actual} bytes arrived, the source announced ${expected}; the file was refused`,
  },
});
