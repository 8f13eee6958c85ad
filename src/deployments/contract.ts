import { Type, type Static, type TSchema } from 'typebox';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { PaginationQuery } from '../http/pagination-query.ts';

/**
 * The deployments API: GitLab's shapes for environments, deployments, protected environments
 * and deployment approvals, plus what Modelyard adds (the model versions a deployment ships, as
 * variants, and its traffic policy). Dates are ISO strings, as GitLab's.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoDate = Type.String({ description: 'ISO 8601 date-time' });

export const ENVIRONMENT_TIER_NAMES = ['production', 'staging', 'testing', 'development', 'other'] as const;
export const Tier = Type.Union([Type.Literal('production'), Type.Literal('staging'), Type.Literal('testing'), Type.Literal('development'), Type.Literal('other')], {
  description: "GitLab's deployment tier",
});
export const EnvironmentStateSchema = Type.Union([Type.Literal('available'), Type.Literal('stopping'), Type.Literal('stopped')]);
export const DEPLOYMENT_STATUSES = ['created', 'running', 'success', 'failed', 'canceled', 'blocked'] as const;
export const DeploymentStatusSchema = Type.Union(
  [Type.Literal('created'), Type.Literal('running'), Type.Literal('success'), Type.Literal('failed'), Type.Literal('canceled'), Type.Literal('blocked')],
  {
    description: 'blocked: waiting for approvals; running: the desired state, instances converging; success: every live variant has a ready instance',
  },
);

/** GitLab: letters, digits, '-', '_', '/', '$', '{', '}', '.' and spaces, not starting or ending with '/'. */
export const EnvironmentName = Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_.${} -]([A-Za-z0-9_./${} -]*[A-Za-z0-9_.${} -])?$' });
const VariantName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' });
const Label = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

// --- traffic policies ------------------------------------------------------------------------

export const Gates = Closed(
  {
    max_error_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: "The canary's error rate (5xx, upstream failures and timeouts) may not exceed this" })),
    max_error_rate_increase: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Canary error rate minus stable error rate may not exceed this' })),
    max_p95_latency_ratio: Type.Optional(Type.Number({ minimum: 0.01, maximum: 1000, description: 'Canary p95 latency over stable p95 latency may not exceed this' })),
    min_requests: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Requests each variant needs in the window before a gate decides' }),
  },
  { description: 'What a canary step must hold to go on; one that fails rolls the canary back' },
);
export type Gates = Static<typeof Gates>;

export const SinglePolicy = Closed({ kind: Type.Literal('single') }, { description: 'One live variant takes all traffic' });
export const CanaryPolicy = Closed(
  {
    kind: Type.Literal('canary'),
    steps: Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), { minItems: 1, maxItems: 20, description: "The canary's share at each step, ascending, the last 100" }),
    step: Type.Integer({ minimum: 0, description: 'The current step (index into steps)' }),
    pause_seconds: Type.Integer({ minimum: 0, maximum: 7 * 86400, description: 'How long each step lasts at least before its gates may promote it' }),
    gates: Gates,
    window_seconds: Type.Integer({ minimum: 10, maximum: 86400, description: 'The gates look at this many recent seconds of the step' }),
  },
  { description: 'Two live variants, "stable" and "canary"; the canary takes steps[step] percent' },
);
export const AbPolicy = Closed(
  {
    kind: Type.Literal('ab'),
    subject_header: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', description: 'The request header whose value is the subject (sticky assignment)' }),
    reward: Type.Union([Type.Literal('binary'), Type.Literal('continuous')], { description: 'binary: feedback values are 0 or 1 (Beta posteriors); continuous: any number (normal approximation)' }),
  },
  { description: 'Two or more live variants with weights summing to 100; a subject always reaches the same variant' },
);
export const Policy = Type.Union([SinglePolicy, CanaryPolicy, AbPolicy]);
export type SinglePolicy = Static<typeof SinglePolicy>;
export type CanaryPolicy = Static<typeof CanaryPolicy>;
export type AbPolicy = Static<typeof AbPolicy>;
export type Policy = Static<typeof Policy>;

export const CanaryPolicyInput = Closed({
  kind: Type.Literal('canary'),
  steps: Type.Optional(CanaryPolicy.properties.steps),
  pause_seconds: Type.Optional(CanaryPolicy.properties.pause_seconds),
  gates: Type.Optional(
    Closed({
      max_error_rate: Type.Optional(Gates.properties.max_error_rate),
      max_error_rate_increase: Type.Optional(Gates.properties.max_error_rate_increase),
      max_p95_latency_ratio: Type.Optional(Gates.properties.max_p95_latency_ratio),
      min_requests: Type.Optional(Gates.properties.min_requests),
    }),
  ),
  window_seconds: Type.Optional(CanaryPolicy.properties.window_seconds),
});
export const AbPolicyInput = Closed({ kind: Type.Literal('ab'), subject_header: Type.Optional(AbPolicy.properties.subject_header), reward: Type.Optional(AbPolicy.properties.reward) });
export const PolicyInput = Type.Union([SinglePolicy, CanaryPolicyInput, AbPolicyInput], {
  description: 'Defaults: canary steps [10, 50, 100], pause 60 s, window 60 s, min_requests 100, max_error_rate 0.05; A/B subject header X-Subject, binary rewards',
});
export type PolicyInput = Static<typeof PolicyInput>;

// --- variants ---------------------------------------------------------------------------------

export const Variant = Closed({
  name: Type.String({ description: '"stable", "canary", "a", "b", "shadow", …' }),
  model: Closed({ id: Type.Integer(), name: Type.String() }),
  version: Closed({ id: Type.Integer(), version: Type.Integer({ description: "MLflow's integer version" }), semver: Type.String() }),
  weight: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent of live traffic (0 for shadow variants)' }),
  role: Type.Union([Type.Literal('live'), Type.Literal('shadow')], { description: 'shadow: gets a mirrored share of requests; its answers are recorded, never returned' }),
  shadow_share: Type.Integer({ minimum: 0, maximum: 100, description: 'Shadow variants: percent of requests mirrored to it' }),
});
export type Variant = Static<typeof Variant>;

export const VariantInput = Closed({
  name: Type.Optional(VariantName),
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "The registered model; the deployment's `model` when left out" })),
  version: Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Integer({ minimum: 1 })], { description: 'A version number, a semantic version (1.4.2) or an alias (champion)' }),
  weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  role: Type.Optional(Variant.properties.role),
  shadow_share: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export type VariantInput = Static<typeof VariantInput>;

// --- deployments ------------------------------------------------------------------------------

export const UserRef = Closed({ id: Type.Integer(), username: Type.String(), name: Type.String() });
export const EnvironmentRef = Closed({ id: Type.Integer(), name: Type.String(), tier: Tier });

export const Deployable = Closed(
  {
    id: Type.Integer(),
    name: Type.String(),
    status: Type.String(),
    stage: Type.String(),
    pipeline: Closed({ id: Type.Integer(), iid: Type.Integer(), ref: Type.String(), sha: Nullable(Type.String()), status: Type.String() }),
  },
  { description: 'The CI job that deployed' },
);
export type Deployable = Static<typeof Deployable>;

export const Approval = Closed({
  user: UserRef,
  status: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
  comment: Type.String(),
  created_at: IsoDate,
});
export type Approval = Static<typeof Approval>;

export const Deployment = Closed(
  {
    id: Type.Integer(),
    iid: Type.Integer(),
    ref: Type.String(),
    sha: Nullable(Type.String()),
    status: DeploymentStatusSchema,
    created_at: IsoDate,
    updated_at: IsoDate,
    finished_at: Nullable(IsoDate),
    user: Nullable(UserRef),
    deployable: Nullable(Deployable),
    environment: EnvironmentRef,
    variants: Type.Array(Variant),
    policy: Policy,
    reason: Type.String({ description: 'Why: "canary step 2: gates passed", "rollback: error rate 12% > 5%", "rollback requested by alice: …"' }),
    rollback_of: Nullable(Type.Integer({ description: 'The deployment this one rolled back' })),
    previous_deployment_id: Nullable(Type.Integer({ description: "The environment's deployment before this one was applied" })),
    lineage_id: Nullable(Type.Integer({ description: 'The first deployment of its canary or A/B series (sticky buckets and feedback are kept per series)' })),
    approvals: Type.Array(Approval),
    pending_approval_count: Type.Integer({ minimum: 0 }),
  },
  { description: 'A deployment: what an environment should run, and why' },
);
export type Deployment = Static<typeof Deployment>;

export const DeployBody = Closed(
  {
    environment: EnvironmentName,
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'The registered model to deploy' })),
    version: Type.Optional(VariantInput.properties.version),
    policy: Type.Optional(PolicyInput),
    variants: Type.Optional(Type.Array(VariantInput, { minItems: 1, maxItems: 10, description: 'A/B variants, and shadow variants for any policy' })),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    ref: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    sha: Type.Optional(Type.String({ pattern: '^[0-9a-f]{7,64}$' })),
    tier: Type.Optional(Tier),
  },
  { description: 'Deploy: a new deployment of the environment (made when the environment does not exist yet)' },
);
export type DeployBody = Static<typeof DeployBody>;

export const DeploymentParams = Type.Intersect([ProjectIdParams, Type.Object({ deployment_id: NumericId })]);
export type DeploymentParams = Static<typeof DeploymentParams>;

export const DeploymentsQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    environment: Type.Optional(Type.String({ maxLength: 255 })),
    status: Type.Optional(DeploymentStatusSchema),
    order_by: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('iid'), Type.Literal('created_at'), Type.Literal('updated_at')])),
    sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  }),
]);
export type DeploymentsQuery = Static<typeof DeploymentsQuery>;

export const ApprovalBody = Closed({
  status: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
  comment: Type.Optional(Type.String({ maxLength: 10_000 })),
  represented_as: Type.Optional(Type.String({ maxLength: 255, description: "GitLab's approval rule name; accepted and ignored" })),
});
export type ApprovalBody = Static<typeof ApprovalBody>;

// --- environments -----------------------------------------------------------------------------

export const CommandTemplate = Closed(
  {
    argv: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 256, description: 'The program and its arguments; {model_dir}, {host} and {port} are replaced' }),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 255 }), Type.String({ maxLength: 32_768 }))),
  },
  { description: 'How agents start versions whose files are not an MLflow model' },
);
export type CommandTemplate = Static<typeof CommandTemplate>;

export const InstanceStatus = Closed({
  agent_id: Type.Integer(),
  instance_id: Type.String(),
  version_id: Type.Integer(),
  state: Type.String({ description: 'fetching, starting, ready, unhealthy, failed or stopped, as the agent reported' }),
  endpoint: Nullable(Type.String()),
  restarts: Type.Integer(),
  message: Type.String(),
  reported_at: IsoDate,
  agent_reporting: Type.Boolean({ description: 'false: the agent has not called for longer than MODELYARD_AGENT_STALE_SECONDS, and the gateway skips the instance' }),
});
export type InstanceStatus = Static<typeof InstanceStatus>;

export const VariantHealth = Closed({
  variant: Type.String(),
  role: Variant.properties.role,
  version_id: Type.Integer(),
  ready_instances: Type.Integer(),
  instances: Type.Array(InstanceStatus),
});

export const HEALTH_STATUSES = ['serving', 'starting', 'degraded', 'down', 'stopped', 'no_deployment', 'agent_not_reporting'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const EnvironmentHealth = Closed({
  status: Type.Union(
    [Type.Literal('serving'), Type.Literal('starting'), Type.Literal('degraded'), Type.Literal('down'), Type.Literal('stopped'), Type.Literal('no_deployment'), Type.Literal('agent_not_reporting')],
    {
      description: "serving: every live variant has a ready instance; starting: not yet; degraded: some variant has none; down: none has; agent_not_reporting: the instances' agents went silent",
    },
  ),
  message: Type.String(),
  variants: Type.Array(VariantHealth),
});
export type EnvironmentHealth = Static<typeof EnvironmentHealth>;

const environmentProperties = {
  id: Type.Integer(),
  name: Type.String(),
  slug: Type.String({ description: '$CI_ENVIRONMENT_SLUG' }),
  tier: Tier,
  state: EnvironmentStateSchema,
  external_url: Nullable(Type.String()),
  created_at: IsoDate,
  updated_at: IsoDate,
  auto_stop_at: Nullable(IsoDate),
  routing: Type.Union([Type.Literal('gateway'), Type.Literal('native')]),
  target: Type.Union([Type.Literal('agent'), Type.Literal('kserve'), Type.Literal('vertex')]),
  agent_labels: Type.Array(Type.String()),
  timeout_ms: Type.Integer(),
  command: Nullable(CommandTemplate),
  current_deployment_id: Nullable(Type.Integer()),
  serving_url: Type.String({ description: 'The gateway address of this environment (POST …/invocations with a serve-scoped token)' }),
};

export const Environment = Closed(environmentProperties, { description: "An environment (GitLab's shape) and how it serves" });
export type Environment = Static<typeof Environment>;

export const EnvironmentDetail = Closed(
  {
    ...environmentProperties,
    last_deployment: Nullable(Deployment),
    current_deployment: Nullable(Deployment),
    health: EnvironmentHealth,
  },
  { description: 'An environment with what runs there and how healthy it is' },
);
export type EnvironmentDetail = Static<typeof EnvironmentDetail>;

export const EnvironmentParams = Type.Intersect([ProjectIdParams, Type.Object({ environment_id: NumericId })]);
export type EnvironmentParams = Static<typeof EnvironmentParams>;

export const EnvironmentsQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    name: Type.Optional(Type.String({ maxLength: 255 })),
    search: Type.Optional(Type.String({ minLength: 3, maxLength: 255 })),
    states: Type.Optional(EnvironmentStateSchema),
  }),
]);
export type EnvironmentsQuery = Static<typeof EnvironmentsQuery>;

const environmentSettings = {
  external_url: Type.Optional(Nullable(Type.String({ maxLength: 1024, pattern: '^https?://' }))),
  tier: Type.Optional(Tier),
  agent_labels: Type.Optional(Type.Array(Label, { maxItems: 20 })),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  command: Type.Optional(Nullable(CommandTemplate)),
};

export const CreateEnvironmentBody = Closed({ name: EnvironmentName, ...environmentSettings });
export type CreateEnvironmentBody = Static<typeof CreateEnvironmentBody>;
export const UpdateEnvironmentBody = Closed({ name: Type.Optional(EnvironmentName), ...environmentSettings });
export type UpdateEnvironmentBody = Static<typeof UpdateEnvironmentBody>;

export const StopBody = Closed({ force: Type.Optional(Type.Boolean({ description: 'Stop at once, without running the on_stop job' })) });
export type StopBody = Static<typeof StopBody>;
const StaleBefore = Type.String({ maxLength: 40, description: 'Stop environments last changed or deployed to before this ISO 8601 date or time, between 10 years and 1 week ago' });
/** `before` comes in the query (as GitLab's example sends it) or in the body. */
export const StopStaleQuery = Type.Object({ before: Type.Optional(StaleBefore) });
export type StopStaleQuery = Static<typeof StopStaleQuery>;
export const StopStaleBody = Closed({ before: Type.Optional(StaleBefore) });
export type StopStaleBody = Static<typeof StopStaleBody>;
export const StopStaleReply = Type.Object({ message: Type.String() });
export const RollbackBody = Closed({ reason: Type.String({ minLength: 1, maxLength: 1000, description: 'Why: recorded on the rollback deployment' }) });
export type RollbackBody = Static<typeof RollbackBody>;
export const PromoteBody = Closed({ reason: Type.Optional(Type.String({ maxLength: 1000 })) });
export type PromoteBody = Static<typeof PromoteBody>;

// --- protected environments (GitLab's shape) --------------------------------------------------

export const AccessLevelRule = Closed({
  id: Type.Integer(),
  access_level: Nullable(Type.Integer()),
  access_level_description: Type.String(),
  user_id: Nullable(Type.Integer()),
  group_id: Type.Null(),
  group_inheritance_type: Type.Integer(),
});
export const ApprovalRule = Closed({
  id: Type.Integer(),
  access_level: Nullable(Type.Integer()),
  access_level_description: Type.String(),
  user_id: Nullable(Type.Integer()),
  group_id: Type.Null(),
  group_inheritance_type: Type.Integer(),
  required_approvals: Type.Integer(),
});
export const ProtectedEnvironment = Closed({
  name: Type.String(),
  deploy_access_levels: Type.Array(AccessLevelRule),
  required_approval_count: Type.Integer(),
  approval_rules: Type.Array(ApprovalRule),
});
export type ProtectedEnvironment = Static<typeof ProtectedEnvironment>;

const WhoInput = {
  access_level: Type.Optional(Type.Union([Type.Literal(30), Type.Literal(40), Type.Literal(50), Type.Literal(60)], { description: '30 developers, 40 maintainers, 50 owners, 60 administrators' })),
  user_id: Type.Optional(NumericId),
  group_id: Type.Optional(Type.Integer({ description: 'Not supported (Modelyard has no groups): refused' })),
  group_inheritance_type: Type.Optional(Type.Integer()),
};
export const DeployAccessInput = Closed(WhoInput);
export const ApprovalRuleInput = Closed({ ...WhoInput, required_approvals: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })) });
export type DeployAccessInput = Static<typeof DeployAccessInput>;
export type ApprovalRuleInput = Static<typeof ApprovalRuleInput>;

export const ProtectEnvironmentBody = Closed({
  name: EnvironmentName,
  deploy_access_levels: Type.Array(DeployAccessInput, { minItems: 1, maxItems: 20 }),
  required_approval_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  approval_rules: Type.Optional(Type.Array(ApprovalRuleInput, { maxItems: 20 })),
});
export type ProtectEnvironmentBody = Static<typeof ProtectEnvironmentBody>;
export const UpdateProtectionBody = Closed({
  deploy_access_levels: Type.Optional(ProtectEnvironmentBody.properties.deploy_access_levels),
  required_approval_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  approval_rules: Type.Optional(Type.Array(ApprovalRuleInput, { maxItems: 20 })),
});
export type UpdateProtectionBody = Static<typeof UpdateProtectionBody>;
export const ProtectedEnvironmentParams = Type.Intersect([ProjectIdParams, Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) })]);

// --- settings, versions -------------------------------------------------------------------------

export const DeploymentSettings = Closed({
  require_approved_versions_in_production: Type.Boolean({ description: 'Only registry-approved versions may reach a production-tier environment' }),
});
export type DeploymentSettings = Static<typeof DeploymentSettings>;
export const DeploymentSettingsBody = Closed({ require_approved_versions_in_production: Type.Boolean() });

export const VersionDeploymentsParams = Type.Intersect([ProjectIdParams, Type.Object({ model_id: NumericId, version: Type.Integer({ minimum: 1 }) })]);
export const VersionDeployment = Closed(
  {
    environment: EnvironmentRef,
    environment_state: EnvironmentStateSchema,
    deployment_id: Type.Integer(),
    deployment_status: DeploymentStatusSchema,
    variant: Type.String(),
    role: Variant.properties.role,
    weight: Type.Integer(),
    since: Type.String({ description: 'ISO 8601 date-time: when the version began running there without a break (the first of the unbroken run of deployments that ship it, canary steps included)' }),
  },
  { description: 'Where a model version is deployed now: one entry per environment whose current deployment ships it' },
);
export type VersionDeployment = Static<typeof VersionDeployment>;
