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

/**
 * `details` never reach the caller; a `serverLog` string among them is written to the server's
 * log when the error answers a request (for answers that must not say more than they do).
 */
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
export const unauthenticated = (message = 'Unauthorized', code = 'UNAUTHENTICATED') => new AppError('unauthenticated', code, message);
export const alreadyExists = (message: string, code = 'ALREADY_EXISTS') => new AppError('already_exists', code, message);
export const conflict = (message: string, code = 'CONFLICT') => new AppError('conflict', code, message);
/** A 429 whose Retry-After says when the caller may try again. */
export const rateLimited = (message: string, code: string, retryAfterSeconds: number) => new AppError('rate_limited', code, message, { retryAfterSeconds });

/** Seconds a 429 asks the caller to wait: the error's own, else a minute. */
export function retryAfterSecondsOf(error: unknown): number {
  const seconds = error instanceof AppError ? error.details?.retryAfterSeconds : undefined;
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : 60;
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Named errors, declared once per domain (Fastify's `lib/errors.js` style): a code, the kind
 * that decides its status, and its message, fixed or made from parameters. Call sites name the
 * error (`RegistryErrors.MODEL_NOT_FOUND({ name })`) instead of repeating a code and a message,
 * so a code keeps one wording everywhere and the catalog lists every code the server answers.
 */
type MessageTemplate<P> = string | ((params: P) => string);

export interface ErrorDeclaration<P = never> {
  kind: ErrorKind;
  message: MessageTemplate<P>;
}

type ParamsOf<D> = D extends { message: (params: infer P) => string } ? P : void;

export interface NamedError<P> {
  (params: P, details?: Record<string, unknown>): AppError;
  readonly code: string;
  readonly kind: ErrorKind;
  readonly status: number;
  /** Whether an error is this one (by code). */
  is(error: unknown): error is AppError;
}

export interface CatalogEntry {
  domain: string;
  code: string;
  kind: ErrorKind;
  status: number;
}

const catalog = new Map<string, CatalogEntry>();

/** Every named error declared so far (modules declare theirs when loaded). */
export function errorCatalog(): CatalogEntry[] {
  return [...catalog.values()].sort((a, b) => a.code.localeCompare(b.code));
}

// `any` here is the declaration's own parameter type, recovered exactly by ParamsOf.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineErrors<const D extends Record<string, ErrorDeclaration<any>>>(domain: string, declarations: D): { readonly [K in keyof D & string]: NamedError<ParamsOf<D[K]>> } {
  const named: Record<string, NamedError<unknown>> = {};
  for (const [code, declaration] of Object.entries(declarations)) {
    const previous = catalog.get(code);
    if (previous && previous.domain !== domain) throw new Error(`error code ${code} is declared twice (${previous.domain}, ${domain})`);
    const status = HTTP_STATUS_OF_KIND[declaration.kind];
    catalog.set(code, { domain, code, kind: declaration.kind, status });
    const make = (params: unknown, details?: Record<string, unknown>) => {
      const message = typeof declaration.message === 'function' ? declaration.message(params as never) : declaration.message;
      return new AppError(declaration.kind, code, message, details);
    };
    named[code] = Object.assign(make, {
      code,
      kind: declaration.kind,
      status,
      is: (error: unknown): error is AppError => error instanceof AppError && error.code === code,
    });
  }
  return named as { readonly [K in keyof D & string]: NamedError<ParamsOf<D[K]>> };
}
