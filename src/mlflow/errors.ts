import type { FastifyReply, FastifyRequest } from 'fastify';
import { logIfInternal, toHttpError, type HttpError } from '../http/plugins/errors.ts';
import { defineErrors, retryAfterSecondsOf } from '../shared/errors.ts';

/** The MLflow adapter's own errors (the domains' errors pass through it with their kinds). */
export const MlflowErrors = defineErrors('mlflow', {
  ENDPOINT_NOT_FOUND: { kind: 'not_found', message: ({ method, path }: { method: string; path: string }) => `No API endpoint for ${method} ${path}` },
  /** MLflow's answer to a path with `..`, an absolute path or an encoded trick, word for word. */
  UNSAFE_ARTIFACT_PATH: { kind: 'invalid', message: 'Invalid path' },
  /** A stored source Modelyard does not read (another store's URI, or a run it does not hold). */
  SOURCE_NOT_SERVED: {
    kind: 'not_found',
    message: ({ source }: { source: string }) => `The files of source '${source.slice(0, 200)}' are not stored in this project: download them from where the source points`,
  },
  /** upload-artifact's checks, in MLflow's words. */
  UPLOAD_RUN_MISSING: { kind: 'invalid', message: 'Request must specify run_uuid.' },
  UPLOAD_PATH_MISSING: { kind: 'invalid', message: 'Request must specify path.' },
  UPLOAD_DATA_MISSING: { kind: 'invalid', message: 'Request must specify data.' },
  UPLOAD_TOO_LARGE: { kind: 'invalid', message: 'Artifact size is too large. Max size is 10MB.' },
  /** search-datasets' checks, in MLflow's words. */
  DATASET_SEARCH_WITHOUT_EXPERIMENTS: { kind: 'invalid', message: 'SearchDatasets request must specify at least one experiment_id.' },
  DATASET_SEARCH_TOO_WIDE: {
    kind: 'invalid',
    message: ({ max, received }: { max: number; received: number }) => `SearchDatasets request cannot specify more than ${max} experiment_ids. Received ${received} experiment_ids.`,
  },
  /** GraphQL requests that are not a query document. */
  GRAPHQL_BAD_REQUEST: { kind: 'invalid', message: ({ reason }: { reason: string }) => reason },
});

/** MLflow's error codes and the statuses its server answers them with (databricks.proto, handlers.py). */
const MLFLOW_ERROR: Record<HttpError['kind'], { code: string; status: number }> = {
  invalid: { code: 'INVALID_PARAMETER_VALUE', status: 400 },
  unprocessable: { code: 'INVALID_PARAMETER_VALUE', status: 400 },
  already_exists: { code: 'RESOURCE_ALREADY_EXISTS', status: 400 },
  unauthenticated: { code: 'UNAUTHENTICATED', status: 401 },
  forbidden: { code: 'PERMISSION_DENIED', status: 403 },
  not_found: { code: 'RESOURCE_DOES_NOT_EXIST', status: 404 },
  conflict: { code: 'RESOURCE_CONFLICT', status: 409 },
  too_large: { code: 'RESOURCE_EXHAUSTED', status: 413 },
  range_not_satisfiable: { code: 'INVALID_PARAMETER_VALUE', status: 416 },
  rate_limited: { code: 'REQUEST_LIMIT_EXCEEDED', status: 429 },
  not_implemented: { code: 'NOT_IMPLEMENTED', status: 501 },
  unavailable: { code: 'TEMPORARILY_UNAVAILABLE', status: 503 },
  internal: { code: 'INTERNAL_ERROR', status: 500 },
};

/** Domain codes that are MLflow error codes themselves and pass through unchanged. */
const PASS_THROUGH = new Set([MlflowErrors.ENDPOINT_NOT_FOUND.code, 'BAD_REQUEST']);

export function mlflowError(error: unknown): { status: number; body: { error_code: string; message: string } } {
  const http = toHttpError(error);
  const mapped = PASS_THROUGH.has(http.code) ? { code: http.code, status: http.status } : MLFLOW_ERROR[http.kind];
  // 415 and 405 from the framework keep their status; the client does not retry them.
  const status = http.status === 415 || http.status === 405 ? http.status : mapped.status;
  return { status, body: { error_code: mapped.code, message: http.message } };
}

export function sendMlflowError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, body } = mlflowError(error);
  logIfInternal(request, error, toHttpError(error));
  if (status === 429) reply.header('Retry-After', String(retryAfterSecondsOf(error)));
  return reply.status(status).send(body);
}
