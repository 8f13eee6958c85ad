import type { ResolvedAddress } from '../outbound/outbound-policy.ts';

/**
 * Where an environment's variants run. The deployments domain records the desired state (an
 * environment's current deployment) in the database, in one transaction, and then tells the
 * environment's target; a target converges to it idempotently, so it may be told twice, late,
 * or by another replica, and a target (or the process behind it) may die at any moment without
 * leaving a half-switched environment.
 *
 * Implementations: the local agent (`modelyard agent` processes that pull their assignments,
 * src/targets/local-agent/), and, in issue 18, KServe (Kubernetes) and Vertex AI endpoints.
 */

/** What a target needs to know of an environment. */
export interface TargetEnvironment {
  id: number;
  projectId: number;
  name: string;
  state: 'available' | 'stopping' | 'stopped';
  /** 'native': the target splits traffic itself, and reports one endpoint per environment. */
  routing: 'gateway' | 'native';
  /** Which target runs its variants. */
  target: 'agent' | 'kserve' | 'vertex';
}

/** What a target needs to know of a deployment: the versions each variant runs. */
export interface TargetDeployment {
  id: number;
  /** The traffic policy's kind: a target that splits traffic itself serves single and canary. */
  policy: 'single' | 'canary' | 'ab' | 'shadow';
  variants: { name: string; versionId: number; role: 'live' | 'shadow'; weight: number }[];
}

/** One running copy of a version, as the target knows it. */
export interface TargetInstance {
  /** Who runs it (an agent's id; a pod's or an endpoint's name for other targets). */
  runnerId: number;
  instanceId: string;
  versionId: number;
  state: string;
  endpoint: string | null;
  /** Where the gateway may connect for the endpoint; null: nowhere (none reported, or refused). */
  upstream: Upstream | null;
  restarts: number;
  message: string;
  reportedAt: number;
  /** false: whoever runs it has gone silent; the gateway does not send it requests. */
  reporting: boolean;
  /** Ready to take requests: reported ready, with an admitted endpoint, by a runner still reporting. */
  ready: boolean;
}

export interface TargetStatus {
  instances: TargetInstance[];
}

export interface DeploymentTarget {
  /** Make the environment run this deployment's variants (idempotent). */
  apply(environment: TargetEnvironment, deployment: TargetDeployment): Promise<void>;
  /** What runs, per instance: ready or not, where, and why not. */
  status(environment: TargetEnvironment): Promise<TargetStatus>;
  /** Stop serving the environment (idempotent). */
  stop(environment: TargetEnvironment): Promise<void>;
}

/**
 * An endpoint as the gateway connects to it: the origin, the path its model server is mounted
 * under (KServe's path-based routing), and the only addresses a socket may open to. The
 * addresses were checked when the endpoint was admitted (see upstream-admission.ts), so a
 * name that resolves elsewhere a moment later cannot carry predictions there.
 */
export interface Upstream {
  origin: string;
  pathPrefix: string;
  host: string;
  port: number;
  addresses: ResolvedAddress[];
}

/** The ready upstreams of each version, for the gateway. */
export function readyEndpoints(status: TargetStatus): Map<number, Upstream[]> {
  const byVersion = new Map<number, Upstream[]>();
  for (const instance of status.instances) {
    if (!instance.ready || instance.upstream === null) continue;
    const list = byVersion.get(instance.versionId) ?? [];
    const { origin, pathPrefix } = instance.upstream;
    if (!list.some((u) => u.origin === origin && u.pathPrefix === pathPrefix)) list.push(instance.upstream);
    byVersion.set(instance.versionId, list);
  }
  return byVersion;
}
