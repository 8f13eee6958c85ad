import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsAccess } from '../http/metrics-access.ts';
import type { RequestMetrics } from '../http/plugins/metrics.ts';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * MODELYARD_METRICS_ADDRESS: a listener that serves `/-/metrics` and nothing else, for an
 * operator who lets the scraper's network reach one port and nothing of the API. Anyone who
 * reaches it may scrape (its address is the access control), unless a metrics token is set,
 * which it then requires as well.
 */
export async function listenForMetrics(address: { host: string; port: number }, metrics: RequestMetrics, access: MetricsAccess): Promise<MetricsListener> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if ((request.method !== 'GET' && request.method !== 'HEAD') || path !== '/-/metrics' || (access.requiresToken && !access.presentsToken(request))) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '404 Not Found' }));
      return;
    }
    const body = metrics.render();
    response.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
  };
}
