import { Pool, errors, type Dispatcher } from 'undici';
import { pinnedLookup } from '../outbound/pinned-lookup.ts';
import type { Upstream } from '../targets/target.ts';

export interface UpstreamAnswer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export type UpstreamFailure = { kind: 'timeout' | 'unreachable'; message: string };

/**
 * Connections to model servers: one undici pool per endpoint, whose connections stay open
 * between requests (keep-alive), so a prediction through the gateway costs no TCP handshake.
 * A pool opens sockets only to the addresses its upstream was admitted with (a pinned
 * lookup): a name that resolves elsewhere later is not followed until the endpoint is admitted
 * again with its new addresses, which replaces the pool.
 */
export class Upstreams {
  private readonly pools = new Map<string, { addresses: string; pool: Pool }>();

  private pool(upstream: Upstream): Pool {
    const addresses = upstream.addresses.map((a) => a.address).join(',');
    const known = this.pools.get(upstream.origin);
    if (known && known.addresses === addresses) return known.pool;
    // Requests already sent on the old pool finish; close waits for them.
    if (known) void known.pool.close().catch(() => undefined);
    const lookup = pinnedLookup({ host: upstream.host, port: upstream.port, addresses: upstream.addresses });
    const pool = new Pool(upstream.origin, { connections: 128, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, pipelining: 1, connect: { lookup } });
    this.pools.set(upstream.origin, { addresses, pool });
    return pool;
  }

  /**
   * One request; a timeout or a refused connection is a failure, not an exception. The answer
   * is gathered by a dispatch handler rather than undici's `request`, whose response stream
   * and its events cost more than the rest of the hop for the small answers models give.
   */
  call(upstream: Upstream, request: { method: 'GET' | 'POST'; path: string; contentType?: string; body?: Buffer; timeoutMs: number }): Promise<UpstreamAnswer | UpstreamFailure> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let contentType: string | undefined;
      const handler: Dispatcher.DispatchHandler = {
        // Nothing to do at the start, but undici recognises this API's handlers by this method.
        onRequestStart: () => undefined,
        onResponseStart: (_controller, statusCode, headers) => {
          status = statusCode;
          const type = headers['content-type'];
          contentType = Array.isArray(type) ? type[0] : type;
        },
        onResponseData: (_controller, chunk) => void chunks.push(chunk),
        onResponseEnd: () => resolve({ status, contentType, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }),
        onResponseError: (_controller, error) => resolve(failure(error, request.timeoutMs)),
      };
      try {
        this.pool(upstream).dispatch(
          {
            method: request.method,
            path: upstream.pathPrefix + request.path,
            headers: request.contentType ? { 'content-type': request.contentType } : {},
            body: request.body,
            headersTimeout: request.timeoutMs,
            bodyTimeout: request.timeoutMs,
          },
          handler,
        );
      } catch (error) {
        resolve(failure(error as Error, request.timeoutMs));
      }
    });
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(({ pool }) => pool.close().catch(() => undefined)));
  }
}

function failure(error: Error, timeoutMs: number): UpstreamFailure {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return { kind: 'timeout', message: `the model server did not answer within ${timeoutMs} ms` };
  }
  return { kind: 'unreachable', message: `the model server could not be reached (${error.message})` };
}

export const isFailure = (answer: UpstreamAnswer | UpstreamFailure): answer is UpstreamFailure => 'kind' in answer;
