import type { Generated } from 'kysely';
import type { EnvironmentTier } from '../shared/environment-names.ts';

export type EnvironmentState = 'available' | 'stopping' | 'stopped';
export type DeploymentStatus = 'created' | 'running' | 'success' | 'failed' | 'canceled' | 'blocked';

export interface EnvironmentsTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  slug: string;
  tier: EnvironmentTier;
  state: EnvironmentState;
  external_url: string | null;
  /** 'gateway': Modelyard's gateway splits traffic; 'native': the target does (issue 18). */
  routing: 'gateway' | 'native';
  /** Which DeploymentTarget runs the variants ('agent': `modelyard agent` processes; 'kserve': InferenceServices in a Kubernetes namespace). */
  target: 'agent' | 'kserve' | 'vertex';
  /** JSON list: agents whose labels include all of these serve the environment (empty: any agent that may). */
  agent_labels: string;
  /** The gateway's upstream timeout for this environment. */
  timeout_ms: number;
  /** JSON `{argv, env?}`: how agents start versions that are not MLflow models; null: MLflow's scoring server only. */
  command: string | null;
  /** The deployment whose variants should run (the desired state). */
  current_deployment_id: number | null;
  /** The last deployment whose every live variant had a ready instance: served until the current one is ready. */
  serving_deployment_id: number | null;
  auto_stop_at: number | null;
  /** JSON `{pipeline_id, job_name}`: the manual job that stops the environment (`environment:on_stop`). */
  on_stop: string | null;
  created_at: number;
  updated_at: number;
}

export interface DeploymentsTable {
  id: Generated<number>;
  project_id: number;
  environment_id: number;
  /** Per-project number, as GitLab's. */
  iid: number;
  status: DeploymentStatus;
  ref: string;
  sha: string | null;
  /** Who made it, as they were called then (a snapshot: the record outlives renames). */
  user_id: number | null;
  user_username: string | null;
  user_name: string | null;
  /** The CI job that deployed (GitLab's deployable). */
  deployable_job_id: number | null;
  /** JSON traffic policy (src/deployments/contract.ts `Policy`). */
  policy: string;
  reason: string;
  rollback_of: number | null;
  previous_deployment_id: number | null;
  /** The first deployment of a canary or A/B series: sticky buckets and feedback are kept per series. */
  lineage_id: number | null;
  /** Approvals the protection rules asked for when it was made (0: none). */
  required_approvals: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface DeploymentVariantsTable {
  deployment_id: number;
  position: number;
  name: string;
  model_id: number;
  model_name: string;
  version_id: number;
  version: number;
  semver: string;
  weight: number;
  role: 'live' | 'shadow';
  shadow_share: number;
}

export interface DeploymentApprovalsTable {
  id: Generated<number>;
  deployment_id: number;
  user_id: number;
  username: string;
  user_name: string;
  status: 'approved' | 'rejected';
  comment: string;
  created_at: number;
}

export interface ProtectedEnvironmentsTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  required_approval_count: number;
  /** JSON list of `{access_level}` or `{user_id}`: who may deploy. */
  deploy_access_levels: string;
  /** JSON list of `{access_level | user_id, required_approvals}`: who may approve (empty: whoever may deploy). */
  approval_rules: string;
  created_at: number;
}

export interface DeploymentSettingsTable {
  project_id: number;
  /** 1: only registry-approved versions reach a production-tier environment. */
  require_approved_versions: number;
  updated_at: number;
}

export interface DeploymentTables {
  environments: EnvironmentsTable;
  deployments: DeploymentsTable;
  deployment_variants: DeploymentVariantsTable;
  deployment_approvals: DeploymentApprovalsTable;
  protected_environments: ProtectedEnvironmentsTable;
  deployment_settings: DeploymentSettingsTable;
}
