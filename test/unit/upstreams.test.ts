import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Upstreams } from '../../src/serving/upstreams.ts';
import { loopbackUpstream } from '../../src/targets/upstream-admission.ts';
import type { Upstream } from '../../src/targets/target.ts';

/** The gateway's calls to model servers: answers byte for byte, and failures as values. */
describe('upstream calls', () => {
  const upstreams = new Upstreams();
  const servers: http.Server[] = [];
  afterEach(async () => {
    await upstreams.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
  });

  async function modelServer(handler: http.RequestListener): Promise<Upstream> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return loopbackUpstream(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)!;
  }

  it('passes the body and its type both ways unchanged, in several chunks', async () => {
    const seen: { type?: string; body?: string } = {};
    const origin = await modelServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        seen.type = request.headers['content-type'];
        seen.body = Buffer.concat(chunks).toString();
        response.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
        response.write('a,b\n');
        setTimeout(() => response.end('1,2\n'), 5);
      });
    });
    const answer = await upstreams.call(origin, { method: 'POST', path: '/invocations', contentType: 'text/csv', body: Buffer.from('x\n1\n'), timeoutMs: 5000 });
    expect(answer).toEqual({ status: 200, contentType: 'text/csv; charset=utf-8', body: Buffer.from('a,b\n1,2\n') });
    expect(seen).toEqual({ type: 'text/csv', body: 'x\n1\n' });
  });

  it('answers a timeout when the model server says nothing in time', async () => {
    const origin = await modelServer(() => undefined);
    const answer = await upstreams.call(origin, { method: 'GET', path: '/ping', timeoutMs: 200 });
    expect(answer).toEqual({ kind: 'timeout', message: 'the model server did not answer within 200 ms' });
  });

  it('answers unreachable when nothing listens', async () => {
    const origin = await modelServer(() => undefined);
    await new Promise((done) => servers.pop()!.close(done));
    const answer = await upstreams.call(origin, { method: 'GET', path: '/ping', timeoutMs: 1000 });
    expect(answer).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('the model server could not be reached') });
  });

  /** A name no resolver here knows: an answer proves the pool connected to the pinned address, without DNS. */
  const named = (port: number, address: string, pathPrefix = ''): Upstream => ({
    origin: `http://model.cluster.invalid:${port}`,
    pathPrefix,
    host: 'model.cluster.invalid',
    port,
    addresses: [{ address, family: 4 }],
  });

  it('connects a named endpoint only to the addresses it was admitted with, under its path prefix', async () => {
    const paths: string[] = [];
    const { port } = await modelServer((request, response) => {
      paths.push(request.url ?? '');
      response.end('ok');
    });
    const answer = await upstreams.call(named(port, '127.0.0.1', '/serving/models/production'), { method: 'GET', path: '/ping', timeoutMs: 5000 });
    expect(answer).toMatchObject({ status: 200, body: Buffer.from('ok') });
    expect(paths).toEqual(['/serving/models/production/ping']);
  });

  it('follows an endpoint re-admitted with other addresses, and not before', async () => {
    const { port } = await modelServer((_request, response) => response.end('ok'));
    // 127.0.0.2 is loopback too, but the model server listens on 127.0.0.1 only.
    expect(await upstreams.call(named(port, '127.0.0.2'), { method: 'GET', path: '/ping', timeoutMs: 2000 })).toMatchObject({ kind: 'unreachable' });
    expect(await upstreams.call(named(port, '127.0.0.1'), { method: 'GET', path: '/ping', timeoutMs: 2000 })).toMatchObject({ status: 200 });
  });
});
