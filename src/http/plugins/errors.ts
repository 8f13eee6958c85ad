import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_STATUS_OF_KIND, retryAfterSecondsOf, type ErrorKind } from '../../shared/errors.ts';
import { isUniqueViolation } from '../../shared/unique-violation.ts';
import type { App } from '../types.ts';
import { ResponseContractError } from './response-check.ts';
import { describeValidationErrors } from './validation.ts';

/** An error reduced to what every protocol needs to answer it. */
export interface HttpError {
  status: number;
  kind: ErrorKind | 'internal';
  code: string;
  message: string;
}

const KIND_OF_STATUS: Record<number, ErrorKind> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'invalid',
  406: 'invalid',
  409: 'conflict',
  411: 'invalid',
  413: 'too_large',
  414: 'invalid',
  415: 'invalid',
  416: 'range_not_satisfiable',
  422: 'unprocessable',
  429: 'rate_limited',
  431: 'invalid',
  501: 'not_implemented',
  503: 'unavailable',
};

export function toHttpError(error: unknown): HttpError {
  // Only raised when MODELYARD_CHECK_RESPONSES is set (the test suites): say which contract broke.
  if (error instanceof ResponseContractError) return { status: 500, kind: 'internal', code: 'RESPONSE_CONTRACT_BROKEN', message: error.message };
  if (error instanceof AppError) {
    return { status: HTTP_STATUS_OF_KIND[error.kind], kind: error.kind, code: error.code, message: error.message };
  }
  // A check-then-insert that lost a race with a concurrent request for the same name: what
  // the loser would have been told a moment later, not a 500.
  if (isUniqueViolation(error)) {
    return { status: HTTP_STATUS_OF_KIND.already_exists, kind: 'already_exists', code: 'CONCURRENT_CREATE', message: 'It was created by another request at the same moment' };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return {
      status: 400,
      kind: 'invalid',
      code: 'VALIDATION_FAILED',
      message: describeValidationErrors(fastifyError.validation, fastifyError.validationContext ?? 'request'),
    };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, kind: KIND_OF_STATUS[status] ?? 'invalid', code: fastifyError.code ?? 'BAD_REQUEST', message: fastifyError.message };
  }
  return { status: 500, kind: 'internal', code: 'INTERNAL_ERROR', message: '500 Internal Server Error' };
}

/**
 * Logs what the caller cannot see: the stack of an unexpected failure, and the detail behind
 * an answer kept deliberately vague (an AppError's `details.serverLog`).
 */
export function logIfInternal(request: FastifyRequest, error: unknown, http: HttpError): void {
  if (http.status >= 500) request.log.error({ err: error }, 'request failed');
  else if (error instanceof AppError && typeof error.details?.serverLog === 'string') {
    request.log.warn({ code: error.code, detail: error.details.serverLog }, error.message);
  }
}

/** GitLab's error body: `{"message": "..."}`. */
export function installNativeErrors(app: App): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const http = toHttpError(error);
    logIfInternal(request, error, http);
    if (http.status === 429) reply.header('Retry-After', String(retryAfterSecondsOf(error)));
    return reply.status(http.status).send({ message: http.message });
  });
  app.setNotFoundHandler({}, (request, reply) => reply.status(404).send({ message: '404 Not Found' }));
}
