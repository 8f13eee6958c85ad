import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Logger } from 'pino';
import { checkUrlEncoding } from '../http/plugins/url-encoding.ts';
import { toHttpError } from '../http/plugins/errors.ts';
import type { RequestMetrics } from '../http/plugins/metrics.ts';
import { requestIdFor } from '../http/plugins/request-id.ts';
import { retryAfterSecondsOf } from '../shared/errors.ts';
import type { Gateway, GatewayAnswer, Routable } from './gateway.ts';
import type { RoutedVariant } from './route-table.ts';

/** The route template the request metrics count fast-path predictions under: the Fastify route's. */
export const INVOCATIONS_ROUTE = '/serving/:id/:environment/invocations';
const PREFIX = '/serving/';
const SUFFIX = '/invocations';
/** GatewayParams' bounds on each path parameter. */
const MAX_PARAM_LENGTH = 255;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `POST /serving/:id/:environment/invocations` answered before Fastify's routing, hooks and
 * reply machinery, which were a fifth of the gateway's CPU per prediction. It serves only the
 * plain, successful case, and hands every other request to Fastify untouched (the body not yet
 * read), where the ordinary route answers it with the same authentication and errors:
 * - the request is not exactly that path (a trailing slash, a malformed escape), has no
 *   Content-Type or Content-Length (a chunked body), or a body over the limit (Fastify says 413);
 * - the server is closing (Fastify answers 503 and closes the connection);
 * - the serve token is refused, the environment cannot serve, or no variant has a ready
 *   instance (the gateway's verdicts are cached, so the second look costs a map lookup).
 * Once it has the body, the fast path answers itself: the model server's answer or the
 * gateway's own 502/504, with the headers the Fastify route sends, counted in the same request
 * metrics and request log.
 */
export class InvocationsFastPath {
  /** Predictions answered here (tests check that the fast path, not the fallback, answered). */
  served = 0;
  private closing = false;

  constructor(
    private readonly deps: {
      gateway: Gateway;
      metrics: RequestMetrics;
      logger: Logger;
      bodyLimit: number;
      /** Fastify's `trustProxy` function: the client address is taken as Fastify takes it. */
      isTrustedProxy: ((address: string) => boolean) | undefined;
    },
  ) {}

  /** From now on every request goes to Fastify, which answers 503 while the server closes. */
  close(): void {
    this.closing = true;
  }

  /** True when the request is taken here; false when the caller must hand it to Fastify. */
  take(request: IncomingMessage, response: ServerResponse, fallback: () => void): boolean {
    if (this.closing || request.method !== 'POST') return false;
    const params = invocationParams(request.url ?? '');
    if (!params) return false;
    const headers = request.headers;
    const length = headers['content-length'];
    if (headers['content-type'] === undefined || length === undefined || headers['transfer-encoding'] !== undefined) return false;
    if (!/^\d{1,10}$/.test(length) || Number(length) > this.deps.bodyLimit) return false;
    void this.serve(request, response, params, fallback, Number(length));
    return true;
  }

  private async serve(request: IncomingMessage, response: ServerResponse, params: { id: string; environment: string }, fallback: () => void, length: number): Promise<void> {
    const started = performance.now();
    const ip = this.clientAddress(request);
    let route: Routable;
    let variant: RoutedVariant;
    try {
      route = await this.deps.gateway.route(request.headers, params.id, params.environment, ip);
      variant = this.deps.gateway.choose(route, request.headers);
    } catch {
      fallback();
      return;
    }
    // An empty body is no body, as the Fastify route passes it on.
    const body = length === 0 ? undefined : await readBody(request, length);
    if (length > 0 && body === undefined) return; // the client went away: there is no one to answer
    let answer: GatewayAnswer;
    try {
      answer = await this.deps.gateway.invokeVariant(route, variant, request.headers, body);
    } catch (error) {
      this.fail(request, response, error, started);
      return;
    }
    const payload = answer.kind === 'failure' ? Buffer.from(JSON.stringify({ message: answer.message })) : answer.body;
    const contentType = answer.kind === 'failure' ? JSON_TYPE : answer.contentType;
    const headers: Record<string, string | number> = {
      'x-modelyard-variant': answer.variant,
      'x-modelyard-deployment': String(answer.deploymentId),
      'x-request-id': requestIdFor(request),
      'x-content-type-options': 'nosniff',
      'content-length': payload.length,
    };
    if (contentType) headers['content-type'] = contentType;
    response.writeHead(answer.status, headers);
    response.end(payload);
    this.served++;
    this.finished(request, answer.status, started);
  }

  /** An unexpected failure after the body was read: the native error shape, as Fastify's error handler gives it. */
  private fail(request: IncomingMessage, response: ServerResponse, error: unknown, started: number): void {
    const http = toHttpError(error);
    if (http.status >= 500) this.deps.logger.error({ err: error, reqId: requestIdFor(request) }, 'request failed');
    const payload = Buffer.from(JSON.stringify({ message: http.message }));
    const headers: Record<string, string | number> = {
      'x-request-id': requestIdFor(request),
      'x-content-type-options': 'nosniff',
      'content-type': JSON_TYPE,
      'content-length': payload.length,
    };
    if (http.status === 429) headers['retry-after'] = String(retryAfterSecondsOf(error));
    response.writeHead(http.status, headers);
    response.end(payload);
    this.finished(request, http.status, started);
  }

  private finished(request: IncomingMessage, status: number, started: number): void {
    const ms = performance.now() - started;
    this.deps.metrics.observe('POST', INVOCATIONS_ROUTE, status, ms / 1000);
    if (this.deps.logger.isLevelEnabled('debug')) this.deps.logger.debug({ method: 'POST', url: request.url, status, ms }, 'request');
  }

  private clientAddress(request: IncomingMessage): string | null {
    const trust = this.deps.isTrustedProxy;
    return (trust ? proxyAddr(request, trust) : request.socket.remoteAddress) ?? null;
  }
}

/** `:id` and `:environment` of exactly `/serving/:id/:environment/invocations`, decoded as Fastify's router decodes them; undefined for any other URL. */
export function invocationParams(url: string): { id: string; environment: string } | undefined {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) return undefined;
  const middle = path.slice(PREFIX.length, path.length - SUFFIX.length);
  const slash = middle.indexOf('/');
  if (slash <= 0 || slash === middle.length - 1 || middle.indexOf('/', slash + 1) !== -1) return undefined;
  let id = middle.slice(0, slash);
  let environment = middle.slice(slash + 1);
  if (url.includes('%')) {
    try {
      checkUrlEncoding(url);
      id = decodeURIComponent(id);
      environment = decodeURIComponent(environment);
    } catch {
      return undefined;
    }
  }
  if (id.length > MAX_PARAM_LENGTH || environment.length > MAX_PARAM_LENGTH || id === '' || environment === '') return undefined;
  return { id, environment };
}

/** The whole body, or undefined when the client aborted it. Its length was checked against the limit, and Node holds the stream to Content-Length. */
function readBody(request: IncomingMessage, length: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
    request.once('error', () => resolve(undefined));
    request.once('aborted', () => resolve(undefined));
  });
}
