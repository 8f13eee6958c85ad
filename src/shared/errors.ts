/**
 * Domain errors carry a kind (what went wrong, in protocol-neutral terms) and a named code.
 * Each protocol adapter maps the kind to its own status and body: the native API to GitLab's
 * `{"message": ...}`, the MLflow adapter to `{"error_code": ..., "message": ...}`.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'already_exists'
  | 'conflict'
  | 'too_large'
  | 'range_not_satisfiable'
  | 'unprocessable'
  | 'rate_limited'
  | 'not_implemented'
  | 'unavailable';

export const HTTP_STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  already_exists: 409,
  conflict: 409,
  too_large: 413,
  range_not_satisfiable: 416,
  unprocessable: 422,
  rate_limited: 429,
  not_implemented: 501,
  unavailable: 503,
};

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalid = (message: string, code = 'INVALID_INPUT') => new AppError('invalid', code, message);
export const notFound = (what: string, code = 'NOT_FOUND') => new AppError('not_found', code, `${what} Not Found`);
export const forbidden = (message = 'Forbidden', code = 'FORBIDDEN') => new AppError('forbidden', code, message);
export const unauthenticated = (message = 'Unauthorized', code = 'UNAUTHENTICATED') =>
  new AppError('unauthenticated', code, message);
export const alreadyExists = (message: string, code = 'ALREADY_EXISTS') =>
  new AppError('already_exists', code, message);
export const conflict = (message: string, code = 'CONFLICT') => new AppError('conflict', code, message);
/** A 429 whose Retry-After says when the caller may try again. */
export const rateLimited = (message: string, code: string, retryAfterSeconds: number) =>
  new AppError('rate_limited', code, message, { retryAfterSeconds });

/** Seconds a 429 asks the caller to wait: the error's own, else a minute. */
export function retryAfterSecondsOf(error: unknown): number {
  const seconds = error instanceof AppError ? error.details?.retryAfterSeconds : undefined;
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : 60;
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
