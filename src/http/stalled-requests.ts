import type { IncomingMessage, Server } from 'node:http';

/**
 * Drops a connection whose client stops sending its request. There is deliberately no limit
 * on a request's total duration: a 2 GiB upload over a slow link must finish, and a runner's
 * long poll holds its response (not its body) for up to a minute. What is bounded is silence
 * while the request is still arriving: headers must be complete within the timeout, and a
 * body that makes no progress for that long is cut. A body that stops because the server is
 * not reading it (a slow disk or object store pushing back) is not the client's fault and is
 * left alone.
 */
export interface StalledRequestOptions {
  idleTimeoutMs: number;
  onDrop?: (request: IncomingMessage) => void;
}

/** How often an arriving body is checked: a stalled one closes within timeout + one step. */
const CHECKS_PER_TIMEOUT = 4;

export function dropStalledRequests(server: Server, options: StalledRequestOptions): void {
  // Node checks this every 30 s (connectionsCheckingInterval), for the header phase only.
  server.headersTimeout = options.idleTimeoutMs;
  server.on('request', (request: IncomingMessage) => {
    if (expectsBody(request)) watchBody(request, options);
  });
}

function expectsBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function watchBody(request: IncomingMessage, options: StalledRequestOptions): void {
  const socket = request.socket;
  let bytesSeen = socket.bytesRead;
  let lastProgressAt = Date.now();
  const timer = setInterval(
    () => {
      if (request.complete || socket.destroyed) {
        clearInterval(timer);
        return;
      }
      // Bytes the handler has not read yet mean the server, not the client, is the slow side.
      const waitingOnServer = request.readableLength > 0;
      if (socket.bytesRead !== bytesSeen || waitingOnServer) {
        bytesSeen = socket.bytesRead;
        lastProgressAt = Date.now();
        return;
      }
      if (Date.now() - lastProgressAt >= options.idleTimeoutMs) {
        clearInterval(timer);
        options.onDrop?.(request);
        socket.destroy();
      }
    },
    Math.max(10, Math.floor(options.idleTimeoutMs / CHECKS_PER_TIMEOUT)),
  );
  // No stop on the request's 'close': a handler may answer before reading the body, and the
  // rest of that body must still arrive (or stop) under the same rule. A body that has ended
  // (read by the handler, or drained by Node after the answer) has arrived: the watch stops
  // then rather than at its next check, which would hold every request of the last
  // quarter-timeout in memory (tens of thousands on a busy gateway).
  request.once('end', () => clearInterval(timer));
  timer.unref();
}
