import type { MemberRoleNative } from './contract.ts';
import { abilitiesOf, CUSTOM_ABILITY_FIELD_NAMES, CUSTOM_ABILITY_FIELDS } from './custom-abilities.ts';
import type { MemberRoleRow } from './member-roles-service.ts';

export function presentMemberRole(row: MemberRoleRow): MemberRoleNative {
  const abilities = abilitiesOf(row);
  const flags = Object.fromEntries(CUSTOM_ABILITY_FIELD_NAMES.map((field) => [field, abilities.includes(CUSTOM_ABILITY_FIELDS[field].ability)]));
  return { id: row.id, name: row.name, description: row.description, group_id: null, base_access_level: row.base_access_level, ...flags, abilities } as MemberRoleNative;
}
