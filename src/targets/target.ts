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
  target: 'agent' | 'kserve';
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
  restarts: number;
  message: string;
  reportedAt: number;
  /** false: whoever runs it has gone silent; the gateway does not send it requests. */
  reporting: boolean;
  /** Ready to take requests: reported ready, with an endpoint, by a runner still reporting. */
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

/** The ready endpoints of each version, for the gateway. */
export function readyEndpoints(status: TargetStatus): Map<number, string[]> {
  const byVersion = new Map<number, string[]>();
  for (const instance of status.instances) {
    if (!instance.ready || instance.endpoint === null) continue;
    const list = byVersion.get(instance.versionId) ?? [];
    if (!list.includes(instance.endpoint)) list.push(instance.endpoint);
    byVersion.set(instance.versionId, list);
  }
  return byVersion;
}
