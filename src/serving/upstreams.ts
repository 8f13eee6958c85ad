import { Pool, errors } from 'undici';

export interface UpstreamAnswer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export type UpstreamFailure = { kind: 'timeout' | 'unreachable'; message: string };

/**
 * Connections to model servers: one undici pool per endpoint, whose connections stay open
 * between requests (keep-alive), so a prediction through the gateway costs no TCP handshake.
 */
export class Upstreams {
  private readonly pools = new Map<string, Pool>();

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 128, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, pipelining: 1 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** One request; a timeout or a refused connection is a failure, not an exception. */
  async call(origin: string, request: { method: 'GET' | 'POST'; path: string; contentType?: string; body?: Buffer; timeoutMs: number }): Promise<UpstreamAnswer | UpstreamFailure> {
    try {
      const answer = await this.pool(origin).request({
        method: request.method,
        path: request.path,
        headers: request.contentType ? { 'content-type': request.contentType } : {},
        body: request.body,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      const body = Buffer.from(await answer.body.arrayBuffer());
      const type = answer.headers['content-type'];
      return { status: answer.statusCode, contentType: Array.isArray(type) ? type[0] : type, body };
    } catch (error) {
      if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
        return { kind: 'timeout', message: `the model server did not answer within ${request.timeoutMs} ms` };
      }
      return { kind: 'unreachable', message: `the model server could not be reached (${(error as Error).message})` };
    }
  }

  /** Forgets the pool of an endpoint that went away (its connections close). */
  async drop(origin: string): Promise<void> {
    const pool = this.pools.get(origin);
    this.pools.delete(origin);
    await pool?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }
}

export const isFailure = (answer: UpstreamAnswer | UpstreamFailure): answer is UpstreamFailure => 'kind' in answer;
