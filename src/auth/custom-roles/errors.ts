import { defineErrors } from '../../shared/errors.ts';

/** The refusals of custom roles (member roles) and of giving one to a member. */
export const CustomRoleErrors = defineErrors('member_roles', {
  MEMBER_ROLE_NOT_FOUND: { kind: 'not_found', message: '404 Member Role Not Found' },
  MEMBER_ROLE_NAME_TAKEN: { kind: 'already_exists', message: ({ name }: { name: string }) => `a member role named "${name}" already exists` },
  INVALID_MEMBER_ROLE: { kind: 'invalid', message: ({ detail }: { detail: string }) => detail },
  /** GitLab's rule: deleting a role members hold would silently take their abilities away. */
  MEMBER_ROLE_IN_USE: {
    kind: 'conflict',
    message: ({ members }: { members: number }) => `the member role is assigned to ${members} member${members === 1 ? '' : 's'}; give them another role first`,
  },
  /** GitLab's rule: a member's custom role builds on exactly the member's access level. */
  MEMBER_ROLE_LEVEL_MISMATCH: {
    kind: 'invalid',
    message: ({ base, level }: { base: number; level: number }) => `the member role's base_access_level (${base}) must equal the member's access_level (${level})`,
  },
});
