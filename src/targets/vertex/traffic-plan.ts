import type { TargetDeployment } from '../target.ts';
import { VertexTargetErrors } from './errors.ts';

/** What an endpoint must hold for a deployment: the versions deployed, and each one's share of the traffic. */
export interface VertexTrafficPlan {
  /** Every live variant's version, in the deployment's order, once each (a weight-0 variant stays deployed, without traffic). */
  versions: number[];
  /** Version id → percent, the shares summing to 100; versions not listed get none. */
  percent: Map<number, number>;
}

/**
 * A deployment as Vertex AI's traffic split: single, canary and A/B weights are shares of one
 * endpoint's traffic. Shadow traffic has no place in a split (Vertex sends each request to one
 * deployed model), so a deployment with a shadow variant is refused.
 */
export function vertexTrafficPlan(deployment: TargetDeployment): VertexTrafficPlan {
  if (deployment.policy === 'shadow' || deployment.variants.some((v) => v.role === 'shadow')) throw VertexTargetErrors.POLICY_NOT_SERVED({ policy: deployment.policy });
  const versions: number[] = [];
  const percent = new Map<number, number>();
  for (const variant of deployment.variants) {
    if (!versions.includes(variant.versionId)) versions.push(variant.versionId);
    if (variant.weight > 0) percent.set(variant.versionId, (percent.get(variant.versionId) ?? 0) + variant.weight);
  }
  return { versions, percent };
}

/** The plan's shares by deployed model id, as `trafficSplit` takes them. */
export function trafficSplitOf(plan: VertexTrafficPlan, deployedIdOf: (versionId: number) => string): Record<string, number> {
  const split: Record<string, number> = {};
  for (const [versionId, share] of plan.percent) split[deployedIdOf(versionId)] = share;
  return split;
}

/** Whether two splits give every deployed model the same share (ids with 0 count as absent). */
export function sameSplit(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? 0) !== (b[key] ?? 0)) return false;
  return true;
}
