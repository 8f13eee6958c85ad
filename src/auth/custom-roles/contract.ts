import { Type, type Static, type TBoolean, type TOptional } from 'typebox';
import { Closed } from '../../http/responses.ts';
import { NumericId } from '../../http/schemas.ts';

/** The member roles API (GitLab's `/member_roles`): a custom role is a base access level plus ability booleans. */

/**
 * The ability fields, as GitLab names them where it has the same permission; which ability of
 * src/auth/abilities.ts each adds is said in custom-abilities.ts and docs/permissions.md.
 */
export const CUSTOM_ABILITY_FIELD_NAMES = [
  'read_code',
  'read_packages',
  'read_pipelines',
  'read_deployments',
  'write_model_registry',
  'write_packages',
  'run_pipelines',
  'deploy',
  'deploy_to_protected_environments',
  'approve_deployments',
  'approve_model_versions',
  'admin_model_registry',
  'read_cicd_settings',
  'admin_cicd_variables',
  'read_environment_settings',
  'admin_protected_environments',
  'read_web_hook',
  'admin_web_hook',
  'read_audit_events',
  'read_project_access_tokens',
] as const;
export type CustomAbilityField = (typeof CUSTOM_ABILITY_FIELD_NAMES)[number];

function abilityFlags<S>(make: (field: CustomAbilityField) => S): Record<CustomAbilityField, S> {
  return Object.fromEntries(CUSTOM_ABILITY_FIELD_NAMES.map((field) => [field, make(field)])) as Record<CustomAbilityField, S>;
}

const flagDescription = (field: CustomAbilityField) => `Adds the ability docs/permissions.md names beside \`${field}\``;

export const MemberRoleNative = Closed(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    group_id: Type.Null({ description: 'Always null: Modelyard has no groups, every custom role is instance-wide' }),
    base_access_level: Type.Integer({ description: 'The base role it adds to: 10 guest, 20 reporter, 30 developer' }),
    ...abilityFlags<TBoolean>((field) => Type.Boolean({ description: flagDescription(field) })),
    abilities: Type.Array(Type.String(), { description: 'The extra abilities, by their names in src/auth/abilities.ts' }),
  },
  { description: 'A custom role: a base role plus extra abilities (additive only)' },
);
export type MemberRoleNative = Static<typeof MemberRoleNative>;

export const MemberRoleList = Type.Array(MemberRoleNative, { description: 'Every custom role of the instance' });

export const CreateMemberRoleBody = Closed({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  base_access_level: Type.Integer({ description: '10 guest, 20 reporter or 30 developer (a maintainer already holds every ability a custom role adds)' }),
  ...abilityFlags<TOptional<TBoolean>>((field) => Type.Optional(Type.Boolean({ description: flagDescription(field) }))),
});
export type CreateMemberRoleBody = Static<typeof CreateMemberRoleBody>;

export const MemberRoleParams = Type.Object({ member_role_id: NumericId });
export type MemberRoleParams = Static<typeof MemberRoleParams>;
