import type { Logger } from 'pino';
import { OutboundRefusedError, type OutboundPolicy } from '../outbound/outbound-policy.ts';
import type { TargetEnvironment, TargetInstance, Upstream } from './target.ts';

export type Admission = { upstream: Upstream } | { refused: string };

const LOOPBACK_ENDPOINT = /^http:\/\/127\.0\.0\.1:(\d{1,5})$/;

/**
 * A local agent's endpoint on loopback (http://127.0.0.1:PORT): an agent next to the server it
 * registers with, whose model servers the gateway reaches on its own loopback. It is trusted
 * without the outbound policy, which refuses loopback: only agents report such endpoints, and
 * one held by another agent is refused when reported (local-agent-target.ts). Null for any
 * other endpoint, which must be admitted like a cluster's (admitReportedEndpoint).
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

/**
 * Admits the endpoints instances report before the gateway uses them: ready instances get the
 * upstream the gateway connects to once their URL passes the outbound address policy; one that
 * does not is shown `refused`, with the reason, and takes no traffic. Each URL is checked once per
 * status read, and a refusal is logged when it is new, not on every route refresh.
 */
export class ReportedEndpoints {
  private readonly refusalsLogged = new Set<string>();

  constructor(
    private readonly deps: { outbound: OutboundPolicy; logger: Logger },
    /** Who reported the endpoints, for the log line: "a cluster", "an agent". */
    private readonly reporter: string,
  ) {}

  async admit(environment: TargetEnvironment, instances: TargetInstance[]): Promise<TargetInstance[]> {
    const admissions = new Map<string, Promise<Admission>>();
    return Promise.all(
      instances.map(async (instance) => {
        if (!instance.ready || instance.endpoint === null || instance.upstream !== null) return instance;
        const endpoint = instance.endpoint;
        let admission = admissions.get(endpoint);
        if (!admission) admissions.set(endpoint, (admission = admitReportedEndpoint(endpoint, this.deps.outbound)));
        const result = await admission;
        if ('upstream' in result) return { ...instance, upstream: result.upstream };
        this.warnOnce(environment, endpoint, result.refused);
        return { ...instance, ready: false, state: 'refused', message: `the gateway does not connect to ${endpoint}: ${result.refused}` };
      }),
    );
  }

  private warnOnce(environment: TargetEnvironment, endpoint: string, reason: string): void {
    const key = `${environment.id}\n${endpoint}\n${reason}`;
    if (this.refusalsLogged.has(key)) return;
    if (this.refusalsLogged.size >= 1000) this.refusalsLogged.clear();
    this.refusalsLogged.add(key);
    this.deps.logger.warn({ environment: environment.name, project: environment.projectId, endpoint, reason }, `the gateway refuses an endpoint ${this.reporter} reported`);
  }
}
