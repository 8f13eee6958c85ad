import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

/** A handler that may answer a request before Fastify sees it; false hands the request on. */
export type FastPath = (request: IncomingMessage, response: ServerResponse, toFastify: () => void) => boolean;

/**
 * Fastify's `serverFactory`: the HTTP server Fastify would make itself (the same keep-alive,
 * request and connection timeouts), whose requests first pass the fast paths. Fastify takes
 * the factory's server as its own, so `listen`, `close` and its 503 while closing are unchanged.
 */
export function serverWithFastPath(fastPath: FastPath) {
  return (handler: (request: IncomingMessage, response: ServerResponse) => void, options: FastifyServerOptions): http.Server => {
    const server = http.createServer((request, response) => {
      if (!fastPath(request, response, () => handler(request, response))) handler(request, response);
    });
    server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
    server.requestTimeout = options.requestTimeout ?? 0;
    server.setTimeout(options.connectionTimeout ?? 0);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}
