import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { forwardedByUntrustedPeer, isLoopback } from './client-address.ts';

/**
 * Who may read `/-/metrics`. Route names, request rates and memory say a lot about an
 * instance, so by default only callers on the machine itself get them (a Prometheus on the
 * same host, `curl` in a pod). MODELYARD_METRICS_TOKEN lets a remote scraper in with
 * `Authorization: Bearer <token>`; everyone else gets 404, as for anything they may not see.
 */
export interface MetricsAccessOptions {
  token: string | undefined;
  isTrustedProxy: (address: string | undefined) => boolean;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export class MetricsAccess {
  private readonly tokenDigest: Buffer | null;

  constructor(private readonly options: MetricsAccessOptions) {
    this.tokenDigest = options.token === undefined ? null : digest(options.token);
  }

  /** `clientAddress`: the address after trusted-proxy resolution (Fastify's request.ip). */
  allowsLocal(request: Pick<IncomingMessage, 'headers' | 'socket'>, clientAddress: string | undefined): boolean {
    return isLoopback(clientAddress) && !forwardedByUntrustedPeer(request.headers, request.socket.remoteAddress, this.options.isTrustedProxy);
  }

  presentsToken(request: Pick<IncomingMessage, 'headers'>): boolean {
    if (this.tokenDigest === null) return false;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    return match !== null && timingSafeEqual(digest(match[1]!), this.tokenDigest);
  }

  get requiresToken(): boolean {
    return this.tokenDigest !== null;
  }
}
