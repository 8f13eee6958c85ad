import type { Ability, ProjectScopedAbility } from '../../src/auth/abilities.ts';

/**
 * The documented permission model (docs/permissions.md), written out by hand so that a change
 * in the policy code that contradicts it fails a test.
 *
 * Personas: the people (anonymous, a member of another project, each role, a site admin) and
 * the other credentials:
 * - maintainer_session: the maintainer's browser session (cookie and CSRF header);
 * - maintainer_read_api: a personal access token of the maintainer with the read_api scope;
 * - project_bot: a maintainer project access token of the project;
 * - job_token: the token of a running job of the project, in a pipeline an administrator
 *   started (the strongest job token there is: the admin is not a member, so it acts as a
 *   maintainer of its project and never as an admin);
 * - other_project_bot, other_project_job: the same credentials of another project;
 * - trigger_token, runner_token: a pipeline trigger token and a runner token presented as a
 *   caller's token (PRIVATE-TOKEN), which they never are.
 */
export const PERSONAS = [
  'anonymous',
  'other_project_member',
  'guest',
  'reporter',
  'developer',
  'maintainer',
  'owner',
  'admin',
  'maintainer_session',
  'maintainer_read_api',
  'project_bot',
  'job_token',
  'other_project_bot',
  'other_project_job',
  'trigger_token',
  'runner_token',
] as const;
export type Persona = (typeof PERSONAS)[number];
/**
 * Members holding a custom role (docs/permissions.md, "Custom roles"), calling with a personal
 * access token (`api`): each gets exactly what its base persona gets, plus `grows`, which it
 * gets where the base persona is refused (403); nothing else grows. `fields` is the role as the
 * member roles API takes it.
 */
export const CUSTOM_ROLE_PERSONAS = {
  reporter_approver: { base: 'reporter', base_access_level: 20, fields: { approve_model_versions: true }, grows: ['registry:approve'] },
  developer_environments_admin: {
    base: 'developer',
    base_access_level: 30,
    fields: { read_environment_settings: true, admin_protected_environments: true, read_cicd_settings: true, admin_cicd_variables: true },
    grows: ['environments:admin-read', 'environments:admin', 'ci:admin-read', 'ci:admin'],
  },
} as const satisfies Record<string, { base: Persona; base_access_level: number; fields: Record<string, boolean>; grows: readonly ProjectScopedAbility[] }>;
export type CustomRolePersona = keyof typeof CUSTOM_ROLE_PERSONAS;
export const CUSTOM_ROLE_PERSONA_NAMES = Object.keys(CUSTOM_ROLE_PERSONAS) as CustomRolePersona[];

/** A custom-role persona's outcome: its base persona's, except where its role adds the ability. */
export function customRoleOutcome(persona: CustomRolePersona, ability: Ability, table: Record<Persona, Outcome>): Outcome {
  const { base, grows } = CUSTOM_ROLE_PERSONAS[persona];
  const outcome = table[base];
  return outcome === 403 && (grows as readonly string[]).includes(ability) ? 'allowed' : outcome;
}

/** 'refused': a route with its own credential (runner, job, trigger token, webhook signature); a caller's credential never passes it. */
export type Outcome = 'allowed' | 401 | 403 | 404 | 'refused';

/** One outcome per persona, in the order of PERSONAS (a tuple, so a missing column does not compile). */
type Line<T extends readonly unknown[]> = { -readonly [K in keyof T]: Outcome };
const row = (...outcomes: Line<typeof PERSONAS>): Record<Persona, Outcome> => Object.fromEntries(PERSONAS.map((persona, i) => [persona, outcomes[i]])) as Record<Persona, Outcome>;

const A = 'allowed' as const;
const R = 'refused' as const;

/** Outcomes on a private project (and of instance abilities, which no project changes). */
export const EXPECTED_OUTCOMES: Record<Ability, Record<Persona, Outcome>> = {
  //                          anon  other guest rep   dev   maint owner admin sess  rdapi bot   job   o.bot o.job trig  run
  public: row(A, A, A, A, A, A, A, A, A, A, A, A, A, A, 401, 401),
  'user:self-read': row(401, A, A, A, A, A, A, A, A, A, A, 403, A, 403, 401, 401),
  'user:self-write': row(401, A, A, A, A, A, A, A, A, 403, A, 403, A, 403, 401, 401),
  'user:tokens-read': row(401, A, A, A, A, A, A, A, A, A, 403, 403, 403, 403, 401, 401),
  'user:tokens-write': row(401, A, A, A, A, A, A, A, A, 403, 403, 403, 403, 403, 401, 401),
  'user:password': row(401, A, A, A, A, A, A, A, A, 403, 403, 403, 403, 403, 401, 401),
  'users:read': row(401, A, A, A, A, A, A, A, A, A, 403, 403, 403, 403, 401, 401),
  'projects:list': row(A, A, A, A, A, A, A, A, A, A, A, 403, A, 403, 401, 401),
  'upload:part': row(A, A, A, A, A, A, A, A, A, A, A, A, A, A, 401, 401),
  'projects:create': row(401, A, A, A, A, A, A, A, A, 403, 403, 403, 403, 403, 401, 401),
  'admin:read': row(401, 403, 403, 403, 403, 403, 403, A, 403, 403, 403, 403, 403, 403, 401, 401),
  'admin:write': row(401, 403, 403, 403, 403, 403, 403, A, 403, 403, 403, 403, 403, 403, 401, 401),
  'runner:protocol': row(R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R),
  'metrics:read': row(A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A),
  'ci:trigger': row(R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R),
  'runners:read': row(401, A, A, A, A, A, A, A, A, A, 403, 403, 403, 403, 401, 401),
  'runners:manage': row(401, A, A, A, A, A, A, A, A, 403, 403, 403, 403, 403, 401, 401),
  'project:read': row(404, 404, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'project:update': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'project:delete': row(404, 404, 403, 403, 403, 403, A, A, 403, 403, 403, 403, 404, 404, 401, 401),
  'members:read': row(404, 404, A, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'members:manage': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'access-tokens:read': row(404, 404, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'access-tokens:manage': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'audit:read': row(404, 404, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'packages:read': row(404, 404, 403, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'packages:write': row(404, 404, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'registry:maintain': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'registry:approve': row(404, 404, 403, 403, 403, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'deployments:protected': row(404, 404, 403, 403, 403, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'webhooks:read': row(404, 404, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'webhooks:manage': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'ml:read': row(404, 404, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'ml:write': row(404, 404, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  // git asks anonymously first and sends its credentials only when challenged: 401, not 404.
  'code:read': row(401, 404, 403, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'pipelines:read': row(404, 404, 403, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'pipelines:run': row(404, 404, 403, 403, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'ci:admin-read': row(404, 404, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'ci:admin': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'deployments:read': row(404, 404, 403, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'deployments:write': row(404, 404, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'deployments:approve': row(404, 404, 403, 403, A, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'environments:admin-read': row(404, 404, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'environments:admin': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  // No route names it: the gateway asks the policy with the token it is given (test/api/serving-gateway.test.ts).
  'serving:use': row(404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404, 401, 401),
  'serving:invoke': row(R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R),
  'agent:protocol': row(R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R),
  'archive:signed-link': row(R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R),
  // Model-development issues (src/issues/, docs/issues.md): GitLab's rules; no CI job token reaches them.
  'issues:read': row(404, 404, A, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'issues:write': row(404, 404, A, A, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:read-confidential': row(404, 404, 403, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'issues:manage': row(404, 404, 403, A, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:moderate': row(404, 404, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:delete': row(404, 404, 403, 403, 403, 403, A, A, 403, 403, 403, 403, 404, 404, 401, 401),
};

/**
 * Outcomes on an internal project: any signed-in person reads what readers may read, and a
 * member below the role an ability names never gets less than that (GitLab's monotonic roles).
 * Bots and job tokens of other projects still see nothing.
 */
export const EXPECTED_ON_INTERNAL: Record<ProjectScopedAbility, Record<Persona, Outcome>> = {
  //                          anon  other guest rep   dev   maint owner admin sess  rdapi bot   job   o.bot o.job trig  run
  'project:read': row(404, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'project:update': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'project:delete': row(404, 403, 403, 403, 403, 403, A, A, 403, 403, 403, 403, 404, 404, 401, 401),
  'members:read': row(404, A, A, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'members:manage': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'access-tokens:read': row(404, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'access-tokens:manage': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'audit:read': row(404, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'packages:read': row(404, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'packages:write': row(404, 403, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'registry:maintain': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'registry:approve': row(404, 403, 403, 403, 403, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'deployments:protected': row(404, 403, 403, 403, 403, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'webhooks:read': row(404, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'webhooks:manage': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'ml:read': row(404, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'ml:write': row(404, 403, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'code:read': row(401, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'pipelines:read': row(404, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'pipelines:run': row(404, 403, 403, 403, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'ci:admin-read': row(404, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'ci:admin': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'deployments:read': row(404, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'deployments:write': row(404, 403, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'deployments:approve': row(404, 403, 403, 403, A, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'environments:admin-read': row(404, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'environments:admin': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'serving:use': row(404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404, 401, 401),
  // Issues: any signed-in person reads them (not confidential ones); opening and commenting take membership.
  'issues:read': row(404, A, A, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'issues:write': row(404, 403, A, A, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:read-confidential': row(404, 403, 403, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'issues:manage': row(404, 403, 403, A, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:moderate': row(404, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:delete': row(404, 403, 403, 403, 403, 403, A, A, 403, 403, 403, 403, 404, 404, 401, 401),
};

/** Outcomes on a public project: anyone reads what readers may read; anonymous writers are asked to sign in. */
export const EXPECTED_ON_PUBLIC: Record<ProjectScopedAbility, Record<Persona, Outcome>> = {
  //                          anon  other guest rep   dev   maint owner admin sess  rdapi bot   job   o.bot o.job trig  run
  'project:read': row(A, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'project:update': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'project:delete': row(401, 403, 403, 403, 403, 403, A, A, 403, 403, 403, 403, 404, 404, 401, 401),
  'members:read': row(A, A, A, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'members:manage': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'access-tokens:read': row(401, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'access-tokens:manage': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'audit:read': row(401, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'packages:read': row(A, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'packages:write': row(401, 403, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'registry:maintain': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'registry:approve': row(401, 403, 403, 403, 403, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'deployments:protected': row(401, 403, 403, 403, 403, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'webhooks:read': row(401, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'webhooks:manage': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'ml:read': row(A, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'ml:write': row(401, 403, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'code:read': row(A, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'pipelines:read': row(A, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'pipelines:run': row(401, 403, 403, 403, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'ci:admin-read': row(401, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'ci:admin': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'deployments:read': row(A, A, A, A, A, A, A, A, A, A, A, A, 404, 404, 401, 401),
  'deployments:write': row(401, 403, 403, 403, A, A, A, A, A, 403, A, A, 404, 404, 401, 401),
  'deployments:approve': row(401, 403, 403, 403, A, A, A, A, A, 403, 403, 403, 404, 404, 401, 401),
  'environments:admin-read': row(401, 403, 403, 403, 403, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'environments:admin': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'serving:use': row(401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404, 401, 401),
  // Issues: anyone reads them (not confidential ones); opening and commenting take membership.
  'issues:read': row(A, A, A, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'issues:write': row(401, 403, A, A, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:read-confidential': row(401, 403, 403, A, A, A, A, A, A, A, A, 403, 404, 404, 401, 401),
  'issues:manage': row(401, 403, 403, A, A, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:moderate': row(401, 403, 403, 403, 403, A, A, A, A, 403, A, 403, 404, 404, 401, 401),
  'issues:delete': row(401, 403, 403, 403, 403, 403, A, A, 403, 403, 403, 403, 404, 404, 401, 401),
};

/**
 * Where a protocol words an outcome otherwise than the tables: the Hugging Face Hub protocol
 * answers a repository hidden from a caller without a credential with 401, as huggingface.co
 * does (its client then says to sign in), and with 404 to a caller who presented one.
 */
export function protocolOutcome(url: string, persona: Persona, outcome: Outcome): Outcome {
  return url.startsWith('/api/hf/') && persona === 'anonymous' && outcome === 404 ? 401 : outcome;
}

/**
 * The MLflow endpoints, relative to `/api`; each is served at the project mount
 * (`/api/v4/projects/:id/ml/mlflow/api`) and at the root mounts (`/api`, `/ajax-api`).
 */
export const MLFLOW_ROUTE_ABILITIES: Record<string, Ability> = {
  'POST /2.0/mlflow/experiments/create': 'ml:write',
  'GET /2.0/mlflow/experiments/get': 'ml:read',
  'GET /2.0/mlflow/experiments/get-by-name': 'ml:read',
  'GET /2.0/mlflow/experiments/search': 'ml:read',
  'POST /2.0/mlflow/experiments/search': 'ml:read',
  'POST /2.0/mlflow/experiments/update': 'ml:write',
  'POST /2.0/mlflow/experiments/delete': 'ml:write',
  'POST /2.0/mlflow/experiments/restore': 'ml:write',
  'POST /2.0/mlflow/experiments/set-experiment-tag': 'ml:write',
  'POST /2.0/mlflow/experiments/delete-experiment-tag': 'ml:write',
  'POST /2.0/mlflow/runs/create': 'ml:write',
  'GET /2.0/mlflow/runs/get': 'ml:read',
  'POST /2.0/mlflow/runs/update': 'ml:write',
  'POST /2.0/mlflow/runs/delete': 'ml:write',
  'POST /2.0/mlflow/runs/restore': 'ml:write',
  'POST /2.0/mlflow/runs/log-metric': 'ml:write',
  'POST /2.0/mlflow/runs/log-parameter': 'ml:write',
  'POST /2.0/mlflow/runs/set-tag': 'ml:write',
  'POST /2.0/mlflow/runs/delete-tag': 'ml:write',
  'POST /2.0/mlflow/runs/log-batch': 'ml:write',
  'POST /2.0/mlflow/runs/log-inputs': 'ml:write',
  'POST /2.0/mlflow/runs/outputs': 'ml:write',
  'POST /2.0/mlflow/runs/search': 'ml:read',
  'GET /2.0/mlflow/metrics/get-history': 'ml:read',
  'GET /2.0/mlflow/metrics/get-history-bulk-interval': 'ml:read',
  'POST /2.0/mlflow/logged-models': 'ml:write',
  'GET /2.0/mlflow/logged-models/:model_id': 'ml:read',
  'PATCH /2.0/mlflow/logged-models/:model_id': 'ml:write',
  'DELETE /2.0/mlflow/logged-models/:model_id': 'ml:write',
  'POST /2.0/mlflow/logged-models/search': 'ml:read',
  'PATCH /2.0/mlflow/logged-models/:model_id/tags': 'ml:write',
  'DELETE /2.0/mlflow/logged-models/:model_id/tags/:tag_key': 'ml:write',
  'POST /2.0/mlflow/logged-models/:model_id/params': 'ml:write',
  'GET /3.0/mlflow/server-info': 'ml:read',
  'POST /2.0/mlflow/registered-models/create': 'ml:write',
  'POST /2.0/mlflow/registered-models/rename': 'ml:write',
  'PATCH /2.0/mlflow/registered-models/update': 'ml:write',
  'DELETE /2.0/mlflow/registered-models/delete': 'ml:write',
  'GET /2.0/mlflow/registered-models/get': 'ml:read',
  'GET /2.0/mlflow/registered-models/search': 'ml:read',
  'POST /2.0/mlflow/registered-models/get-latest-versions': 'ml:read',
  'GET /2.0/mlflow/registered-models/get-latest-versions': 'ml:read',
  'POST /2.0/mlflow/registered-models/set-tag': 'ml:write',
  'DELETE /2.0/mlflow/registered-models/delete-tag': 'ml:write',
  'POST /2.0/mlflow/registered-models/alias': 'ml:write',
  'DELETE /2.0/mlflow/registered-models/alias': 'ml:write',
  'GET /2.0/mlflow/registered-models/alias': 'ml:read',
  'POST /2.0/mlflow/model-versions/create': 'ml:write',
  'PATCH /2.0/mlflow/model-versions/update': 'ml:write',
  'POST /2.0/mlflow/model-versions/transition-stage': 'ml:write',
  'DELETE /2.0/mlflow/model-versions/delete': 'ml:write',
  'GET /2.0/mlflow/model-versions/get': 'ml:read',
  'GET /2.0/mlflow/model-versions/search': 'ml:read',
  'GET /2.0/mlflow/model-versions/get-download-uri': 'ml:read',
  'POST /2.0/mlflow/model-versions/set-tag': 'ml:write',
  'DELETE /2.0/mlflow/model-versions/delete-tag': 'ml:write',
  'PUT /2.0/mlflow-artifacts/artifacts/*': 'ml:write',
  'GET /2.0/mlflow-artifacts/artifacts/*': 'ml:read',
  'GET /2.0/mlflow-artifacts/artifacts': 'ml:read',
  'DELETE /2.0/mlflow-artifacts/artifacts/*': 'ml:write',
  'POST /2.0/mlflow-artifacts/mpu/create/*': 'ml:write',
  'POST /2.0/mlflow-artifacts/mpu/complete/*': 'ml:write',
  'POST /2.0/mlflow-artifacts/mpu/abort/*': 'ml:write',
  // What MLflow's web UI calls beyond the client's API.
  'GET /2.0/mlflow/artifacts/list': 'ml:read',
  'GET /2.0/mlflow/metrics/get-history-bulk': 'ml:read',
  'POST /2.0/mlflow/experiments/search-datasets': 'ml:read',
  'GET /2.0/mlflow/logged-models/:model_id/artifacts/directories': 'ml:read',
  'GET /2.0/mlflow/logged-models/:model_id/artifacts/files': 'ml:read',
  'POST /2.0/mlflow/upload-artifact': 'ml:write',
};

/**
 * The MLflow UI's paths outside `/api`, relative to a tracking URI: the per-project one
 * (`/api/v4/projects/:id/ml/mlflow`) and the server root ('').
 */
export const MLFLOW_UI_ROUTE_ABILITIES: Record<string, Ability> = {
  'GET /health': 'public',
  'GET /version': 'public',
  'GET /get-artifact': 'ml:read',
  'GET /model-versions/get-artifact': 'ml:read',
  'POST /graphql': 'ml:read',
};
export const MLFLOW_TRACKING_BASES = ['/api/v4/projects/:id/ml/mlflow', ''];

export const MLFLOW_MOUNTS = ['/api/v4/projects/:id/ml/mlflow/api', '/api/v4/projects/:id/ml/mlflow/ajax-api', '/api', '/ajax-api'];
const CATCH_ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

function expandMlflow(): Record<string, Ability> {
  const out: Record<string, Ability> = {};
  for (const mount of MLFLOW_MOUNTS) {
    for (const [key, ability] of Object.entries(MLFLOW_ROUTE_ABILITIES)) {
      const [method, path] = key.split(' ') as [string, string];
      out[`${method} ${mount}${path}`] = ability;
      if (method === 'GET') out[`HEAD ${mount}${path}`] = ability;
    }
    // Unknown MLflow endpoints answer ENDPOINT_NOT_FOUND to anyone.
    for (const version of ['2.0', '3.0']) for (const method of CATCH_ALL_METHODS) out[`${method} ${mount}/${version}/mlflow/*`] = 'public';
  }
  for (const base of MLFLOW_TRACKING_BASES) {
    for (const [key, ability] of Object.entries(MLFLOW_UI_ROUTE_ABILITIES)) {
      const [method, path] = key.split(' ') as [string, string];
      out[`${method} ${base}${path}`] = ability;
      if (method === 'GET') out[`HEAD ${base}${path}`] = ability;
    }
  }
  // A browser opening a tracking URI is sent on to the project's pages.
  for (const root of ['/api/v4/projects/:id/ml/mlflow', '/api', '/ajax-api']) {
    out[`GET ${root}`] = 'public';
    out[`HEAD ${root}`] = 'public';
  }
  return out;
}

/** Every route and the ability it must declare. */
export const ROUTE_ABILITIES: Record<string, Ability> = {
  ...expandMlflow(),
  'GET /-/health': 'public',
  'HEAD /-/health': 'public',
  'GET /-/readiness': 'public',
  'HEAD /-/readiness': 'public',
  'GET /-/metrics': 'metrics:read',
  'HEAD /-/metrics': 'metrics:read',
  'GET /api/v4/version': 'public',
  'HEAD /api/v4/version': 'public',
  'GET /api/v4/openapi.json': 'public',
  'HEAD /api/v4/openapi.json': 'public',

  'POST /api/v4/session': 'public',
  'GET /api/v4/session': 'user:self-read',
  'HEAD /api/v4/session': 'user:self-read',
  'DELETE /api/v4/session': 'user:self-write',
  'GET /api/v4/session/providers': 'public',
  'HEAD /api/v4/session/providers': 'public',
  'GET /users/auth/:provider': 'public',
  'HEAD /users/auth/:provider': 'public',
  'GET /users/auth/:provider/callback': 'public',
  'HEAD /users/auth/:provider/callback': 'public',
  'DELETE /api/v4/users/:user_id/identities/:provider': 'admin:write',
  'GET /api/v4/user': 'user:self-read',
  'HEAD /api/v4/user': 'user:self-read',
  'GET /api/v4/users': 'users:read',
  'HEAD /api/v4/users': 'users:read',
  'GET /api/v4/users/:user_id': 'users:read',
  'HEAD /api/v4/users/:user_id': 'users:read',
  'POST /api/v4/users': 'admin:write',
  'PUT /api/v4/users/:user_id': 'admin:write',
  'POST /api/v4/users/:user_id/block': 'admin:write',
  'POST /api/v4/users/:user_id/unblock': 'admin:write',
  'GET /api/v4/member_roles': 'users:read',
  'HEAD /api/v4/member_roles': 'users:read',
  'POST /api/v4/member_roles': 'admin:write',
  'DELETE /api/v4/member_roles/:member_role_id': 'admin:write',
  'GET /api/v4/personal_access_tokens': 'user:tokens-read',
  'HEAD /api/v4/personal_access_tokens': 'user:tokens-read',
  'GET /api/v4/personal_access_tokens/self': 'user:self-read',
  'HEAD /api/v4/personal_access_tokens/self': 'user:self-read',
  'GET /api/v4/personal_access_tokens/:token_id': 'user:tokens-read',
  'HEAD /api/v4/personal_access_tokens/:token_id': 'user:tokens-read',
  'DELETE /api/v4/personal_access_tokens/self': 'user:self-write',
  'DELETE /api/v4/personal_access_tokens/:token_id': 'user:tokens-write',
  'POST /api/v4/user/personal_access_tokens': 'user:tokens-write',
  'POST /api/v4/users/:user_id/personal_access_tokens': 'admin:write',
  'POST /api/v4/personal_access_tokens/:token_id/rotate': 'user:tokens-write',
  'PUT /api/v4/user/password': 'user:password',
  'GET /api/v4/projects/:id/access_tokens': 'access-tokens:read',
  'HEAD /api/v4/projects/:id/access_tokens': 'access-tokens:read',
  'GET /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:read',
  'HEAD /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:read',
  'POST /api/v4/projects/:id/access_tokens': 'access-tokens:manage',
  'DELETE /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:manage',

  'GET /api/v4/projects': 'projects:list',
  'HEAD /api/v4/projects': 'projects:list',
  'POST /api/v4/projects': 'projects:create',
  'GET /api/v4/projects/:id': 'project:read',
  'HEAD /api/v4/projects/:id': 'project:read',
  'PUT /api/v4/projects/:id': 'project:update',
  'DELETE /api/v4/projects/:id': 'project:delete',
  'GET /api/v4/projects/:id/members': 'members:read',
  'HEAD /api/v4/projects/:id/members': 'members:read',
  'GET /api/v4/projects/:id/members/:user_id': 'members:read',
  'HEAD /api/v4/projects/:id/members/:user_id': 'members:read',
  'POST /api/v4/projects/:id/members': 'members:manage',
  'GET /api/v4/projects/:id/sso_group_links': 'members:read',
  'HEAD /api/v4/projects/:id/sso_group_links': 'members:read',
  'POST /api/v4/projects/:id/sso_group_links': 'members:manage',
  'DELETE /api/v4/projects/:id/sso_group_links/:link_id': 'members:manage',
  'PUT /api/v4/projects/:id/members/:user_id': 'members:manage',
  'DELETE /api/v4/projects/:id/members/:user_id': 'members:manage',

  'GET /api/v4/projects/:id/ml/experiments': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/experiments': 'ml:read',
  'GET /api/v4/projects/:id/ml/experiments/:experiment_id': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/experiments/:experiment_id': 'ml:read',
  'DELETE /api/v4/projects/:id/ml/experiments/:experiment_id': 'ml:write',
  'GET /api/v4/projects/:id/ml/experiments/:experiment_id/run_keys': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/experiments/:experiment_id/run_keys': 'ml:read',
  'GET /api/v4/projects/:id/ml/runs': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs': 'ml:read',
  'GET /api/v4/projects/:id/ml/runs/:run_id': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs/:run_id': 'ml:read',
  'DELETE /api/v4/projects/:id/ml/runs/:run_id': 'ml:write',
  'GET /api/v4/projects/:id/ml/runs/:run_id/metrics/:key/history': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs/:run_id/metrics/:key/history': 'ml:read',
  'GET /api/v4/projects/:id/ml/metrics/series': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/metrics/series': 'ml:read',

  'PUT /api/v4/uploads/:upload_id/parts/:part_number': 'upload:part',
  'PUT /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name': 'packages:write',
  'GET /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name': 'packages:read',
  'HEAD /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name': 'packages:read',
  'GET /api/v4/projects/:id/packages': 'packages:read',
  'HEAD /api/v4/projects/:id/packages': 'packages:read',
  'GET /api/v4/projects/:id/packages/:package_id': 'packages:read',
  'HEAD /api/v4/projects/:id/packages/:package_id': 'packages:read',
  'GET /api/v4/projects/:id/packages/:package_id/package_files': 'packages:read',
  'HEAD /api/v4/projects/:id/packages/:package_id/package_files': 'packages:read',
  'DELETE /api/v4/projects/:id/packages/:package_id': 'packages:write',
  'DELETE /api/v4/projects/:id/packages/:package_id/package_files/:package_file_id': 'packages:write',
  'POST /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name/uploads': 'packages:write',
  'GET /api/v4/projects/:id/packages/uploads/:upload_id': 'packages:write',
  'HEAD /api/v4/projects/:id/packages/uploads/:upload_id': 'packages:write',
  'PUT /api/v4/projects/:id/packages/uploads/:upload_id/parts/:part_number': 'packages:write',
  'POST /api/v4/projects/:id/packages/uploads/:upload_id/complete': 'packages:write',
  'DELETE /api/v4/projects/:id/packages/uploads/:upload_id': 'packages:write',
  'GET /api/v4/projects/:id/storage': 'packages:read',
  'HEAD /api/v4/projects/:id/storage': 'packages:read',

  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations': 'ml:read',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations': 'ml:write',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version/image-context': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version/image-context': 'ml:read',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version/images': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version/images': 'ml:read',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/images': 'ml:write',

  'GET /api/v4/projects/:id/ci/settings': 'ci:admin-read',
  'HEAD /api/v4/projects/:id/ci/settings': 'ci:admin-read',
  'PUT /api/v4/projects/:id/ci/settings': 'ci:admin',
  'GET /api/v4/projects/:id/ci/config': 'pipelines:read',
  'HEAD /api/v4/projects/:id/ci/config': 'pipelines:read',
  'PUT /api/v4/projects/:id/ci/config': 'ci:admin',
  'POST /api/v4/projects/:id/ci/lint': 'pipelines:read',
  'POST /api/v4/projects/:id/runners/reset_registration_token': 'ci:admin',
  'GET /api/v4/projects/:id/variables': 'ci:admin-read',
  'HEAD /api/v4/projects/:id/variables': 'ci:admin-read',
  'GET /api/v4/projects/:id/variables/:key': 'ci:admin-read',
  'HEAD /api/v4/projects/:id/variables/:key': 'ci:admin-read',
  'POST /api/v4/projects/:id/variables': 'ci:admin',
  'PUT /api/v4/projects/:id/variables/:key': 'ci:admin',
  'DELETE /api/v4/projects/:id/variables/:key': 'ci:admin',
  'GET /api/v4/projects/:id/triggers': 'ci:admin-read',
  'HEAD /api/v4/projects/:id/triggers': 'ci:admin-read',
  'POST /api/v4/projects/:id/triggers': 'ci:admin',
  'DELETE /api/v4/projects/:id/triggers/:trigger_id': 'ci:admin',
  'POST /api/v4/projects/:id/pipeline': 'pipelines:run',
  'GET /api/v4/projects/:id/pipelines': 'pipelines:read',
  'HEAD /api/v4/projects/:id/pipelines': 'pipelines:read',
  'GET /api/v4/projects/:id/pipelines/:pipeline_id': 'pipelines:read',
  'HEAD /api/v4/projects/:id/pipelines/:pipeline_id': 'pipelines:read',
  'GET /api/v4/projects/:id/pipelines/:pipeline_id/jobs': 'pipelines:read',
  'HEAD /api/v4/projects/:id/pipelines/:pipeline_id/jobs': 'pipelines:read',
  'POST /api/v4/projects/:id/pipelines/:pipeline_id/cancel': 'pipelines:run',
  'POST /api/v4/projects/:id/pipelines/:pipeline_id/retry': 'pipelines:run',
  'GET /api/v4/projects/:id/jobs': 'pipelines:read',
  'HEAD /api/v4/projects/:id/jobs': 'pipelines:read',
  'GET /api/v4/projects/:id/jobs/:job_id': 'pipelines:read',
  'HEAD /api/v4/projects/:id/jobs/:job_id': 'pipelines:read',
  'GET /api/v4/projects/:id/jobs/:job_id/trace': 'pipelines:read',
  'HEAD /api/v4/projects/:id/jobs/:job_id/trace': 'pipelines:read',
  'GET /api/v4/projects/:id/jobs/:job_id/artifacts': 'pipelines:read',
  'HEAD /api/v4/projects/:id/jobs/:job_id/artifacts': 'pipelines:read',
  'GET /api/v4/projects/:id/jobs/:job_id/artifacts/*': 'pipelines:read',
  'HEAD /api/v4/projects/:id/jobs/:job_id/artifacts/*': 'pipelines:read',
  'GET /api/v4/projects/:id/jobs/:job_id/artifact_files': 'pipelines:read',
  'HEAD /api/v4/projects/:id/jobs/:job_id/artifact_files': 'pipelines:read',
  'GET /api/v4/projects/:id/jobs/artifacts/:ref_name/download': 'pipelines:read',
  'HEAD /api/v4/projects/:id/jobs/artifacts/:ref_name/download': 'pipelines:read',
  'POST /api/v4/projects/:id/jobs/:job_id/retry': 'pipelines:run',
  'POST /api/v4/projects/:id/jobs/:job_id/cancel': 'pipelines:run',
  'POST /api/v4/projects/:id/jobs/:job_id/play': 'pipelines:run',
  'POST /api/v4/projects/:id/trigger/pipeline': 'ci:trigger',
  'POST /api/v4/projects/:id/ci/push/:provider': 'ci:trigger',
  'POST /api/v4/user/runners': 'runners:manage',
  'GET /api/v4/runners': 'runners:read',
  'HEAD /api/v4/runners': 'runners:read',
  'GET /api/v4/runners/:runner_id': 'runners:read',
  'HEAD /api/v4/runners/:runner_id': 'runners:read',
  'PUT /api/v4/runners/:runner_id': 'runners:manage',
  'DELETE /api/v4/runners/:runner_id': 'runners:manage',
  'GET /api/v4/projects/:id/runners': 'ci:admin-read',
  'HEAD /api/v4/projects/:id/runners': 'ci:admin-read',
  'POST /api/v4/runners': 'runner:protocol',
  'POST /api/v4/runners/verify': 'runner:protocol',
  'DELETE /api/v4/runners': 'runner:protocol',
  'POST /api/v4/jobs/request': 'runner:protocol',
  'PUT /api/v4/jobs/:job_id': 'runner:protocol',
  'PATCH /api/v4/jobs/:job_id/trace': 'runner:protocol',
  'POST /api/v4/jobs/:job_id/artifacts': 'runner:protocol',
  'GET /api/v4/jobs/:job_id/artifacts': 'runner:protocol',
  'HEAD /api/v4/jobs/:job_id/artifacts': 'runner:protocol',
  'DELETE /api/v4/runners/managers': 'runner:protocol',
  'POST /api/v4/runners/reset_authentication_token': 'runner:protocol',
  'GET /:id.git/info/refs': 'code:read',
  'HEAD /:id.git/info/refs': 'code:read',
  'POST /:id.git/git-upload-pack': 'code:read',

  'GET /api/v4/projects/:id/ml/models': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models': 'ml:read',
  'POST /api/v4/projects/:id/ml/models': 'ml:write',
  'GET /api/v4/projects/:id/ml/models/:model_id': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id': 'ml:read',
  'PUT /api/v4/projects/:id/ml/models/:model_id': 'ml:write',
  'DELETE /api/v4/projects/:id/ml/models/:model_id': 'ml:write',
  'POST /api/v4/projects/:id/ml/models/:model_id/labels': 'ml:write',
  'DELETE /api/v4/projects/:id/ml/models/:model_id/labels/:label': 'ml:write',
  'PUT /api/v4/projects/:id/ml/models/:model_id/aliases/:alias': 'ml:write',
  'DELETE /api/v4/projects/:id/ml/models/:model_id/aliases/:alias': 'ml:write',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions': 'ml:read',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions': 'ml:write',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version': 'ml:read',
  'PUT /api/v4/projects/:id/ml/models/:model_id/versions/:version': 'ml:write',
  'DELETE /api/v4/projects/:id/ml/models/:model_id/versions/:version': 'ml:write',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/labels': 'ml:write',
  'DELETE /api/v4/projects/:id/ml/models/:model_id/versions/:version/labels/:label': 'ml:write',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/card/fill': 'ml:write',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/approval_requests': 'ml:write',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/approve': 'registry:approve',
  'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/reject': 'registry:approve',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version/approvals': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version/approvals': 'ml:read',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version/lineage': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version/lineage': 'ml:read',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version/archive': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version/archive': 'ml:read',
  // The Hugging Face Hub's read protocol (src/hub/routes.ts): the registry's reading permission.
  'POST /api/v4/projects/:id/ml/imports/huggingface': 'ml:write',
  'POST /api/v4/projects/:id/ml/imports/vertex': 'ml:write',
  'POST /api/v4/projects/:id/ml/imports/vertex/models': 'ml:write',
  'GET /api/v4/projects/:id/integrations/google-cloud': 'ci:admin-read',
  'HEAD /api/v4/projects/:id/integrations/google-cloud': 'ci:admin-read',
  'PUT /api/v4/projects/:id/integrations/google-cloud': 'ci:admin',
  'DELETE /api/v4/projects/:id/integrations/google-cloud': 'ci:admin',
  'GET /api/v4/projects/:id/ml/imports': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/imports': 'ml:read',
  'GET /api/v4/projects/:id/ml/imports/:import_id': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/imports/:import_id': 'ml:read',
  'POST /api/v4/projects/:id/ml/imports/:import_id/cancel': 'ml:write',
  'GET /api/hf/api/models/:id/:model': 'ml:read',
  'HEAD /api/hf/api/models/:id/:model': 'ml:read',
  'GET /api/hf/api/models/:id/:model/revision/:revision': 'ml:read',
  'HEAD /api/hf/api/models/:id/:model/revision/:revision': 'ml:read',
  'GET /api/hf/api/models/:id/:model/tree/:revision': 'ml:read',
  'HEAD /api/hf/api/models/:id/:model/tree/:revision': 'ml:read',
  'GET /api/hf/api/models/:id/:model/tree/:revision/*': 'ml:read',
  'HEAD /api/hf/api/models/:id/:model/tree/:revision/*': 'ml:read',
  'GET /api/hf/:id/:model/resolve/:revision/*': 'ml:read',
  'HEAD /api/hf/:id/:model/resolve/:revision/*': 'ml:read',
  'GET /api/v4/projects/:id/ml/runs/:run_id/model_versions': 'ml:read',
  'GET /api/v4/projects/:id/ml/artifact_previews/*': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/artifact_previews/*': 'ml:read',
  'GET /api/v4/projects/:id/ml/model_versions/:model_version_id': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/model_versions/:model_version_id': 'ml:read',
  'GET /api/v4/projects/:id/ml/runs/:run_id/logged_models': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs/:run_id/logged_models': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs/:run_id/model_versions': 'ml:read',
  'GET /api/v4/projects/:id/ml/registry/settings': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/registry/settings': 'ml:read',
  'PUT /api/v4/projects/:id/ml/registry/settings': 'registry:maintain',
  'PUT /api/v4/projects/:id/packages/ml_models/:model_version_id/files/*': 'ml:write',
  'POST /api/v4/projects/:id/packages/ml_models/:model_version_id/uploads': 'ml:write',
  'GET /api/v4/projects/:id/packages/ml_models/uploads/:upload_id': 'ml:write',
  'HEAD /api/v4/projects/:id/packages/ml_models/uploads/:upload_id': 'ml:write',
  'PUT /api/v4/projects/:id/packages/ml_models/uploads/:upload_id/parts/:part_number': 'ml:write',
  'POST /api/v4/projects/:id/packages/ml_models/uploads/:upload_id/complete': 'ml:write',
  'DELETE /api/v4/projects/:id/packages/ml_models/uploads/:upload_id': 'ml:write',
  'GET /api/v4/projects/:id/packages/ml_models/:model_version_id/files/*': 'ml:read',
  'HEAD /api/v4/projects/:id/packages/ml_models/:model_version_id/files/*': 'ml:read',
  'GET /api/v4/projects/:id/hooks': 'webhooks:read',
  'HEAD /api/v4/projects/:id/hooks': 'webhooks:read',
  'POST /api/v4/projects/:id/hooks': 'webhooks:manage',
  'GET /api/v4/projects/:id/hooks/:hook_id': 'webhooks:read',
  'HEAD /api/v4/projects/:id/hooks/:hook_id': 'webhooks:read',
  'PUT /api/v4/projects/:id/hooks/:hook_id': 'webhooks:manage',
  'DELETE /api/v4/projects/:id/hooks/:hook_id': 'webhooks:manage',
  'GET /api/v4/projects/:id/hooks/:hook_id/deliveries': 'webhooks:read',
  'HEAD /api/v4/projects/:id/hooks/:hook_id/deliveries': 'webhooks:read',

  'GET /api/v4/projects/:id/environments': 'deployments:read',
  'HEAD /api/v4/projects/:id/environments': 'deployments:read',
  'POST /api/v4/projects/:id/environments': 'environments:admin',
  'GET /api/v4/projects/:id/environments/:environment_id': 'deployments:read',
  'HEAD /api/v4/projects/:id/environments/:environment_id': 'deployments:read',
  'PUT /api/v4/projects/:id/environments/:environment_id': 'environments:admin',
  'DELETE /api/v4/projects/:id/environments/:environment_id': 'environments:admin',
  'GET /api/v4/projects/:id/environments/:environment_id/target': 'environments:admin-read',
  'HEAD /api/v4/projects/:id/environments/:environment_id/target': 'environments:admin-read',
  'PUT /api/v4/projects/:id/environments/:environment_id/target': 'environments:admin',
  'DELETE /api/v4/projects/:id/environments/:environment_id/target': 'environments:admin',
  'POST /api/v4/projects/:id/environments/:environment_id/stop': 'deployments:write',
  'POST /api/v4/projects/:id/environments/stop_stale': 'deployments:write',
  'POST /api/v4/projects/:id/environments/:environment_id/rollback': 'deployments:write',
  'POST /api/v4/projects/:id/environments/:environment_id/promote': 'deployments:write',
  'GET /api/v4/projects/:id/environments/:environment_id/results': 'deployments:read',
  'HEAD /api/v4/projects/:id/environments/:environment_id/results': 'deployments:read',
  'GET /api/v4/projects/:id/deployments': 'deployments:read',
  'HEAD /api/v4/projects/:id/deployments': 'deployments:read',
  'POST /api/v4/projects/:id/deployments': 'deployments:write',
  'GET /api/v4/projects/:id/deployments/:deployment_id': 'deployments:read',
  'HEAD /api/v4/projects/:id/deployments/:deployment_id': 'deployments:read',
  'POST /api/v4/projects/:id/deployments/:deployment_id/approval': 'deployments:approve',
  'GET /api/v4/projects/:id/ml/models/:model_id/versions/:version/deployments': 'deployments:read',
  'HEAD /api/v4/projects/:id/ml/models/:model_id/versions/:version/deployments': 'deployments:read',
  'GET /api/v4/projects/:id/protected_environments': 'environments:admin-read',
  'HEAD /api/v4/projects/:id/protected_environments': 'environments:admin-read',
  'POST /api/v4/projects/:id/protected_environments': 'environments:admin',
  'GET /api/v4/projects/:id/protected_environments/:name': 'environments:admin-read',
  'HEAD /api/v4/projects/:id/protected_environments/:name': 'environments:admin-read',
  'PUT /api/v4/projects/:id/protected_environments/:name': 'environments:admin',
  'DELETE /api/v4/projects/:id/protected_environments/:name': 'environments:admin',
  'GET /api/v4/projects/:id/deployment_settings': 'deployments:read',
  'HEAD /api/v4/projects/:id/deployment_settings': 'deployments:read',
  'PUT /api/v4/projects/:id/deployment_settings': 'environments:admin',
  'POST /api/v4/projects/:id/serving_agents': 'environments:admin',
  'GET /api/v4/projects/:id/serving_agents': 'environments:admin-read',
  'HEAD /api/v4/projects/:id/serving_agents': 'environments:admin-read',
  'DELETE /api/v4/projects/:id/serving_agents/:agent_id': 'environments:admin',
  'POST /api/v4/serving_agents': 'admin:write',
  'GET /api/v4/serving_agents': 'admin:read',
  'HEAD /api/v4/serving_agents': 'admin:read',
  'DELETE /api/v4/serving_agents/:agent_id': 'admin:write',
  'POST /api/v4/agent/sessions': 'agent:protocol',
  'GET /api/v4/agent/assignments': 'agent:protocol',
  'HEAD /api/v4/agent/assignments': 'agent:protocol',
  'PUT /api/v4/agent/instances/:instance_id': 'agent:protocol',
  'GET /api/v4/agent/instances/:instance_id/archive': 'agent:protocol',
  'HEAD /api/v4/agent/instances/:instance_id/archive': 'agent:protocol',
  'GET /api/v4/signed/archives/:project_id/:model_id/:version/model.tar.gz': 'archive:signed-link',
  'HEAD /api/v4/signed/archives/:project_id/:model_id/:version/model.tar.gz': 'archive:signed-link',
  'POST /serving/:id/:environment/invocations': 'serving:invoke',
  'GET /serving/:id/:environment/ping': 'serving:invoke',
  'HEAD /serving/:id/:environment/ping': 'serving:invoke',
  'GET /serving/:id/:environment/version': 'serving:invoke',
  'HEAD /serving/:id/:environment/version': 'serving:invoke',
  'POST /serving/:id/:environment/feedback': 'serving:invoke',

  'GET /*': 'public',
  'HEAD /*': 'public',

  'GET /api/v4/audit_events': 'admin:read',
  'HEAD /api/v4/audit_events': 'admin:read',
  'GET /api/v4/projects/:id/audit_events': 'audit:read',
  'HEAD /api/v4/projects/:id/audit_events': 'audit:read',

  // Model-development issues (src/issues/routes.ts).
  'GET /api/v4/projects/:id/issues': 'issues:read',
  'HEAD /api/v4/projects/:id/issues': 'issues:read',
  'POST /api/v4/projects/:id/issues': 'issues:write',
  'GET /api/v4/projects/:id/issues/:issue_iid': 'issues:read',
  'HEAD /api/v4/projects/:id/issues/:issue_iid': 'issues:read',
  'PUT /api/v4/projects/:id/issues/:issue_iid': 'issues:write',
  'DELETE /api/v4/projects/:id/issues/:issue_iid': 'issues:delete',
  'GET /api/v4/projects/:id/issues/:issue_iid/notes': 'issues:read',
  'HEAD /api/v4/projects/:id/issues/:issue_iid/notes': 'issues:read',
  'POST /api/v4/projects/:id/issues/:issue_iid/notes': 'issues:write',
  'GET /api/v4/projects/:id/issues/:issue_iid/notes/:note_id': 'issues:read',
  'HEAD /api/v4/projects/:id/issues/:issue_iid/notes/:note_id': 'issues:read',
  'PUT /api/v4/projects/:id/issues/:issue_iid/notes/:note_id': 'issues:write',
  'DELETE /api/v4/projects/:id/issues/:issue_iid/notes/:note_id': 'issues:write',
  'GET /api/v4/projects/:id/issues/:issue_iid/links': 'issues:read',
  'HEAD /api/v4/projects/:id/issues/:issue_iid/links': 'issues:read',
  'POST /api/v4/projects/:id/issues/:issue_iid/links': 'issues:write',
  'DELETE /api/v4/projects/:id/issues/:issue_iid/links/:link_id': 'issues:write',
  'GET /api/v4/projects/:id/linked_issues': 'issues:read',
  'HEAD /api/v4/projects/:id/linked_issues': 'issues:read',
};
