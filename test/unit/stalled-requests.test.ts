import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dropStalledRequests } from '../../src/http/stalled-requests.ts';

/**
 * The body watch of a request must end when its body has arrived: a busy gateway answers
 * thousands of requests a second, and a watch that lives on until its next check holds each
 * of them (request, socket, body) in memory for a quarter of the idle timeout.
 */
describe('stalled-request watch', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await new Promise((done) => server?.close(done) ?? done(undefined));
  });

  async function serve(handler: http.RequestListener): Promise<number> {
    server = http.createServer();
    // A minute's timeout: the watch checks every 15 s, far beyond this test.
    dropStalledRequests(server, { idleTimeoutMs: 60_000 });
    server.on('request', handler);
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return (server.address() as AddressInfo).port;
  }

  function watches() {
    const started: unknown[] = [];
    const cleared = new Set<unknown>();
    const realSet = globalThis.setInterval;
    const realClear = globalThis.clearInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((...args: Parameters<typeof setInterval>) => {
      const timer = realSet(...args);
      started.push(timer);
      return timer;
    }) as typeof setInterval);
    vi.spyOn(globalThis, 'clearInterval').mockImplementation((timer) => {
      cleared.add(timer);
      realClear(timer);
    });
    return { started, cleared };
  }

  it('stops watching a body once it has been read to its end, not at the next check', async () => {
    const port = await serve((request, response) => {
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    const { started, cleared } = watches();
    const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'a body of a few bytes' });
    expect(await answer.text()).toBe('ok');
    expect(started).toHaveLength(1);
    expect(cleared.has(started[0]), 'the watch of a fully read body is still running').toBe(true);
  });

  it('keeps watching a body that stopped arriving, answered or not', async () => {
    const port = await serve((_request, response) => response.end('refused'));
    const { started, cleared } = watches();
    const socket = net.connect(port, '127.0.0.1');
    const answered = new Promise<string>((done) => socket.once('data', (chunk) => done(chunk.toString())));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nten bytes.');
    expect(await answered).toContain('refused');
    expect(started).toHaveLength(1);
    expect(cleared.has(started[0])).toBe(false);
    socket.destroy();
  });
});
