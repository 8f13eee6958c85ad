import { Type, type Static, type TBoolean, type TOptional } from 'typebox';
import { Closed } from '../../http/responses.ts';
import { NumericId } from '../../http/schemas.ts';
import { CUSTOM_ABILITY_FIELD_NAMES, CUSTOM_ABILITY_FIELDS, type CustomAbilityField } from './custom-abilities.ts';

/** The member roles API (GitLab's `/member_roles`): a custom role is a base access level plus ability booleans. */

function abilityFlags<S>(make: (field: CustomAbilityField) => S): Record<CustomAbilityField, S> {
  return Object.fromEntries(CUSTOM_ABILITY_FIELD_NAMES.map((field) => [field, make(field)])) as Record<CustomAbilityField, S>;
}

const flagDescription = (field: CustomAbilityField) => `Adds \`${CUSTOM_ABILITY_FIELDS[field].ability}\` (docs/permissions.md)`;

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
