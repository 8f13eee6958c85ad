import { Type, type Static } from 'typebox';

const EnvironmentPayload = Type.Object({ environment_id: Type.Integer(), environment: Type.String(), tier: Type.String() });
const DeploymentPayload = Type.Object({
  deployment_id: Type.Integer(),
  iid: Type.Integer(),
  environment_id: Type.Integer(),
  environment: Type.String(),
  tier: Type.String(),
  status: Type.String(),
  policy: Type.String({ description: 'single, canary or ab' }),
  variants: Type.Array(Type.Object({ name: Type.String(), model_name: Type.String(), version: Type.Integer(), semver: Type.String(), weight: Type.Integer(), role: Type.String() })),
  reason: Type.String(),
  rollback_of: Type.Union([Type.Integer(), Type.Null()]),
  deployable_job_id: Type.Union([Type.Integer(), Type.Null()]),
});

/**
 * The deployments domain's events. Every policy change is a deployment, so
 * `deployments.deployment.created` is the one to subscribe to for "what runs changed";
 * `status_changed` follows it through blocked → running → success (or failed, canceled).
 */
export const DeploymentEvents = {
  'deployments.environment.created': EnvironmentPayload,
  'deployments.environment.updated': EnvironmentPayload,
  'deployments.environment.stopped': Type.Object({ ...EnvironmentPayload.properties, reason: Type.String() }),
  'deployments.environment.deleted': EnvironmentPayload,
  'deployments.deployment.created': DeploymentPayload,
  'deployments.deployment.status_changed': Type.Object({ ...DeploymentPayload.properties, previous_status: Type.String() }),
  'deployments.deployment.approved': Type.Object({
    deployment_id: Type.Integer(),
    environment: Type.String(),
    user_id: Type.Integer(),
    status: Type.String(),
    approvals: Type.Integer(),
    required: Type.Integer(),
  }),
  'deployments.protected_environment.changed': Type.Object({
    environment: Type.String(),
    change: Type.String({ description: 'created, updated or deleted' }),
    required_approval_count: Type.Integer(),
  }),
  'deployments.settings.updated': Type.Object({ require_approved_versions_in_production: Type.Boolean() }),
} as const;

export type DeploymentEventName = keyof typeof DeploymentEvents;
export type DeploymentEventPayload<N extends DeploymentEventName> = Static<(typeof DeploymentEvents)[N]>;
