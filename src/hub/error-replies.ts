import type { FastifyReply, FastifyRequest } from 'fastify';
import { logIfInternal, toHttpError } from '../http/plugins/errors.ts';
import { AppError, retryAfterSecondsOf } from '../shared/errors.ts';
import { HUB_HEADERS, INVALID_CREDENTIALS_MESSAGE, type HubErrorCode } from './contract.ts';
import { HUB_ERROR_CODE_OF } from './errors.ts';

/** Header values are ASCII: a model's name in a message may not be. */
const asHeader = (text: string) => text.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);

/**
 * Refusals as the Hub answers them: `{"error": ...}` with the code in `X-Error-Code`, which
 * the client turns into RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError or
 * GatedRepoError. As on the Hub, a repository the caller cannot see is a 401 without a
 * credential (so the client says to sign in) and a 404 with one; a credential the server does
 * not accept says so, and a credential that does not reach the registry (a token without a
 * registry-reading scope) is a gated repository.
 */
export function sendHubError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const http = toHttpError(error);
  logIfInternal(request, error, http);
  let status = http.status;
  let code: HubErrorCode | undefined = error instanceof AppError ? HUB_ERROR_CODE_OF[error.code] : undefined;
  let headerMessage = http.message;
  if (http.kind === 'not_found' && code === undefined) code = 'RepoNotFound';
  if (http.kind === 'forbidden') code = 'GatedRepo';
  // Refused before the project was found: the project is missing or hidden from this caller.
  if (code === 'RepoNotFound' && request.access === null && request.caller.credential === 'anonymous') status = 401;
  if (http.kind === 'unauthenticated') headerMessage = INVALID_CREDENTIALS_MESSAGE;
  if (code !== undefined) reply.header(HUB_HEADERS.errorCode, code);
  reply.header(HUB_HEADERS.errorMessage, asHeader(headerMessage));
  const repoCommit = error instanceof AppError ? error.details?.repoCommit : undefined;
  if (typeof repoCommit === 'string') reply.header(HUB_HEADERS.repoCommit, repoCommit);
  if (status === 429) reply.header('Retry-After', String(retryAfterSecondsOf(error)));
  return reply.status(status).send({ error: http.message });
}
