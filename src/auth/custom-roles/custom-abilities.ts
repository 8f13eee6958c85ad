import { ABILITIES, isAbility, type ProjectScopedAbility } from '../abilities.ts';
import { ACCESS_LEVEL } from '../roles.ts';
import { CUSTOM_ABILITY_FIELD_NAMES, type CustomAbilityField } from './contract.ts';

export { CUSTOM_ABILITY_FIELD_NAMES, type CustomAbilityField };

/**
 * The abilities a custom role may add to its base role (GitLab's member-role permissions), each
 * under the boolean field the member roles API names it by: GitLab's own name where GitLab has
 * the same permission (`read_code`, `admin_cicd_variables`, `admin_web_hook`), else one in the
 * same verb_object style. A field may need another (`requires`), as GitLab's do: managing a
 * thing without seeing it makes no sense.
 *
 * Eligible: project abilities that a higher base role holds, so that a custom role only ever
 * gives what some member could already be given. Left out on purpose:
 * - `project:read`, `members:read`, `ml:read`: every member has them;
 * - `members:manage`, `access-tokens:manage`: they hand out access, so a reporter holding them
 *   could make themselves (or a token) a maintainer; who gets what stays a maintainer's act;
 * - `project:update` (visibility, name) and `project:delete`: the project's owners decide them;
 * - `serving:use`: the `serve` token scope decides it, not a role;
 * - instance abilities (`admin:*`, `users:*`, runners): a custom role is a project membership.
 */
export const CUSTOM_ABILITY_FIELDS = {
  read_code: { ability: 'code:read' },
  read_packages: { ability: 'packages:read' },
  read_pipelines: { ability: 'pipelines:read' },
  read_deployments: { ability: 'deployments:read' },
  write_model_registry: { ability: 'ml:write' },
  write_packages: { ability: 'packages:write', requires: 'read_packages' },
  run_pipelines: { ability: 'pipelines:run', requires: 'read_pipelines' },
  deploy: { ability: 'deployments:write', requires: 'read_deployments' },
  deploy_to_protected_environments: { ability: 'deployments:protected', requires: 'deploy' },
  approve_deployments: { ability: 'deployments:approve', requires: 'read_deployments' },
  approve_model_versions: { ability: 'registry:approve' },
  admin_model_registry: { ability: 'registry:maintain' },
  read_cicd_settings: { ability: 'ci:admin-read' },
  admin_cicd_variables: { ability: 'ci:admin', requires: 'read_cicd_settings' },
  read_environment_settings: { ability: 'environments:admin-read', requires: 'read_deployments' },
  admin_protected_environments: { ability: 'environments:admin', requires: 'read_environment_settings' },
  read_web_hook: { ability: 'webhooks:read' },
  admin_web_hook: { ability: 'webhooks:manage', requires: 'read_web_hook' },
  read_audit_events: { ability: 'audit:read' },
  read_project_access_tokens: { ability: 'access-tokens:read' },
} as const satisfies Record<CustomAbilityField, { ability: ProjectScopedAbility; requires?: CustomAbilityField }>;

/** The base levels a custom role may build on: a maintainer already holds every eligible ability. */
export const CUSTOM_ROLE_BASE_LEVELS: readonly number[] = [ACCESS_LEVEL.guest, ACCESS_LEVEL.reporter, ACCESS_LEVEL.developer];

/** Whether the base role already holds the ability: adding it would change nothing, and is refused as a mistake. */
export function baseRoleHolds(baseLevel: number, field: CustomAbilityField): boolean {
  return baseLevel >= ACCESS_LEVEL[ABILITIES[CUSTOM_ABILITY_FIELDS[field].ability].minRole];
}

/** The field another one needs (managing a thing needs seeing it), if any. */
export function requirementOf(field: CustomAbilityField): CustomAbilityField | undefined {
  const definition = CUSTOM_ABILITY_FIELDS[field];
  return 'requires' in definition ? definition.requires : undefined;
}

export function fieldOfAbility(ability: string): CustomAbilityField | undefined {
  return CUSTOM_ABILITY_FIELD_NAMES.find((field) => CUSTOM_ABILITY_FIELDS[field].ability === ability);
}

/** The extra abilities a stored role grants (a name that is no longer eligible grants nothing). */
export function abilitiesOf(row: { abilities: string }): ProjectScopedAbility[] {
  const names = JSON.parse(row.abilities) as unknown[];
  return names.filter((name): name is ProjectScopedAbility => isAbility(name) && fieldOfAbility(name) !== undefined);
}
