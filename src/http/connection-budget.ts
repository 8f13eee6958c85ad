import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Open connections per TCP peer, so that one address cannot hold every socket the process
 * can open. It counts the peer, not the client named in `X-Forwarded-For`: a header arrives
 * only after the connection is accepted, and behind a proxy all clients share the proxy's
 * sockets. Trusted proxies are therefore not counted at all; the proxy in front has to bound
 * its clients' connections itself.
 */
export interface ConnectionBudgetOptions {
  maxPerAddress: number;
  isTrustedProxy: (address: string | undefined) => boolean;
}

/** What a refused client reads before the socket closes: a clear status, not a bare reset. */
const REFUSAL_BODY = JSON.stringify({ message: '503 Service Unavailable: too many open connections from this address' });
const REFUSAL = [
  'HTTP/1.1 503 Service Unavailable',
  'Connection: close',
  'Retry-After: 10',
  'Content-Type: application/json',
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}`,
  '',
  REFUSAL_BODY,
].join('\r\n');

/** How long a refused socket may take to read its 503 before it is destroyed. */
const REFUSAL_GRACE_MS = 1000;

export function limitConnectionsPerAddress(server: Server, options: ConnectionBudgetOptions): void {
  if (options.maxPerAddress <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || options.isTrustedProxy(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= options.maxPerAddress) {
      refuse(socket);
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

function refuse(socket: Socket): void {
  // Read nothing more from it, so no request of a refused connection reaches a handler.
  socket.pause();
  socket.end(REFUSAL);
  setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS).unref();
}
