import { OutboundRefusedError, type OutboundPolicy } from '../outbound/outbound-policy.ts';
import type { Upstream } from './target.ts';

export type Admission = { upstream: Upstream } | { refused: string };

const LOOPBACK_ENDPOINT = /^http:\/\/127\.0\.0\.1:(\d{1,5})$/;

/**
 * A local agent's endpoint. The agent protocol lets an agent report only
 * http://127.0.0.1:PORT: agents run next to the server they register with, and the gateway
 * reaches their model servers on its own loopback. Anything else found in the database is
 * not connected to.
 */
export function loopbackUpstream(endpoint: string): Upstream | null {
  const port = Number(LOOPBACK_ENDPOINT.exec(endpoint)?.[1] ?? NaN);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { origin: endpoint, pathPrefix: '', host: '127.0.0.1', port, addresses: [{ address: '127.0.0.1', family: 4 }] };
}

/**
 * An endpoint a cluster reports (KServe's InferenceService status URL). Whoever can write to
 * the cluster chooses it, so it passes the same outbound address policy as every connection
 * the server opens: a cluster cannot point the gateway at the metadata service or an internal
 * address the administrator has not allowed. Its name is resolved once, here, and the gateway
 * connects only to the addresses checked.
 */
export async function admitReportedEndpoint(endpoint: string, outbound: OutboundPolicy): Promise<Admission> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { refused: 'it is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { refused: `only http and https endpoints are used, not ${url.protocol}` };
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return { refused: 'an endpoint with credentials, a query or a fragment is not used' };
  try {
    const checked = await outbound.checkUrl(url);
    return { upstream: { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, ''), host: checked.host, port: checked.port, addresses: checked.addresses } };
  } catch (error) {
    if (error instanceof OutboundRefusedError) return { refused: `the outbound address policy refuses it (${error.message})` };
    throw error;
  }
}
