import Fastify from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { lazyRequestLogger } from '../../src/http/lazy-request-logger.ts';

/** Each request's logger: the request id on every line it writes, and no pino child for a request that writes none. */
describe('lazy request logger', () => {
  async function server() {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
    const logger = pino({ level: 'info', redact: { paths: ['*.token'], remove: true } }, sink);
    const app = Fastify({ loggerInstance: logger, childLoggerFactory: lazyRequestLogger, disableRequestLogging: true, genReqId: () => 'req-1' });
    app.get('/quiet', async (request) => {
      request.log.debug({ detail: 'below the level' }, 'not written');
      return 'ok';
    });
    app.get('/loud', async (request) => {
      request.log.info({ a: { token: 'secret' } }, 'written');
      request.log.child({ step: 2 }).warn('from a child');
      return 'ok';
    });
    app.get('/fails', async (request) => {
      request.log.error({ err: new Error('boom') }, 'request failed');
      return 'logged';
    });
    await app.ready();
    // Counted from here: Fastify makes children of its own while it starts.
    const child = vi.spyOn(logger, 'child');
    return { app, lines, child };
  }

  it('makes no child logger for a request that writes nothing', async () => {
    const { app, lines, child } = await server();
    expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes the request id, redacted, on the lines of a request, its children and an error', async () => {
    const { app, lines } = await server();
    await app.inject({ url: '/loud' });
    await app.inject({ url: '/fails' });
    await new Promise((done) => setImmediate(done));
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
      ['req-1', 'written'],
      ['req-1', 'from a child'],
      ['req-1', 'request failed'],
    ]);
    expect(lines[0]!.a).toEqual({});
    expect(lines[1]!.step).toBe(2);
    expect(lines[2]!.err).toMatchObject({ message: 'boom' });
  });
});
