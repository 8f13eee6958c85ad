import type { Deployment, EnvironmentDetail, EnvironmentHealth, Variant, VersionDeployment } from '../../src/deployments/contract.ts';
import type { ServingResults, VariantResult } from '../../src/serving/contract.ts';
import type { User } from './session.tsx';
import type { Powers, Project } from './project.ts';

/** The deployments API's shapes, as the server declares them. */
export type { Deployment, EnvironmentDetail, EnvironmentHealth, Variant, VersionDeployment, ServingResults, VariantResult };

/** What a person may do to an environment; the API decides, the UI only hides what a role cannot do. */
export interface DeploymentPowers {
  /** Deploy, promote, roll back, stop: `deployments:write`, developers and up. */
  canDeploy: boolean;
}

export function deploymentPowersOf(powers: Powers): DeploymentPowers {
  return { canDeploy: powers.canWrite };
}

/**
 * Where an environment's variants run (its target): maintainers read and change it, and so does
 * a custom role that adds `environments:admin-read` (to read) or `environments:admin` (to change).
 */
export function targetPowersOf(project: Project, powers: Powers): { canRead: boolean; canChange: boolean } {
  const extra = project.permissions.custom_abilities;
  const canChange = powers.canMaintain || extra.includes('environments:admin');
  return { canRead: canChange || extra.includes('environments:admin-read'), canChange };
}

/** Approving is a person's act, for developers and up, never on their own deployment (protection rules may narrow it further). */
export function mayApprove(powers: Powers, user: User | null, deployment: Deployment): boolean {
  return powers.canWrite && deployment.status === 'blocked' && user !== null && deployment.user?.id !== user.id && !deployment.approvals.some((a) => a.user.id === user.id);
}

/** The live variants in the order their shares are drawn: the largest first, the stable one first among equals. */
export function liveVariants(variants: Variant[]): Variant[] {
  const rank = (v: Variant) => (v.name === 'stable' ? 0 : 1);
  return variants.filter((v) => v.role === 'live').sort((a, b) => b.weight - a.weight || rank(a) - rank(b) || a.name.localeCompare(b.name));
}

export function variantLabel(v: Pick<Variant, 'model' | 'version'>): string {
  return `${v.model.name} v${v.version.version} (${v.version.semver})`;
}

/** "canary 10 % (step 1 of 3)", "A/B test", "single": a policy in a few words. */
export function describePolicy(deployment: Pick<Deployment, 'policy'>): string {
  const policy = deployment.policy;
  if (policy.kind === 'canary') return `canary, step ${policy.step + 1} of ${policy.steps.length} (${policy.steps.map((s) => `${s}%`).join(' → ')})`;
  if (policy.kind === 'ab') return `A/B test by ${policy.subject_header}, ${policy.reward} rewards`;
  return 'single';
}

/** "0.5 %" with one decimal below 10 %, whole numbers above; "—" when there is nothing to divide. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  const percent = rate * 100;
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)} %`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Who made a deployment: a person, a CI job (as its deployable), or Modelyard itself (a gate). */
export function deployedBy(d: Deployment): string {
  if (d.user) return d.user.username;
  return 'Modelyard (gates)';
}

/** Health words as badges, in the CI status colours (styles.css). */
export const HEALTH_CLASS: Record<EnvironmentHealth['status'], string> = {
  serving: 'ci-success',
  starting: 'ci-running',
  degraded: 'ci-pending',
  down: 'ci-failed',
  stopped: 'ci-canceled',
  no_deployment: 'ci-created',
  agent_not_reporting: 'ci-failed',
};

export function environmentPath(projectId: number, environmentId: number): string {
  return `/projects/${projectId}/environments/${environmentId}`;
}
