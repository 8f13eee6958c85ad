import { Type } from 'typebox';
import { Visibility } from './contract.ts';

/**
 * The events a project's life records in the outbox (webhooks and pipeline triggers read them).
 * A change made by a CI job also carries `ci_job_id` (added by the outbox).
 */
export const ProjectEvents = {
  'project.created': Type.Object({ id: Type.Integer(), path: Type.String(), visibility: Visibility }),
  'project.updated': Type.Object({ id: Type.Integer(), changed: Type.Array(Type.String(), { description: 'The fields whose value changed' }) }),
  'project.deleted': Type.Object({ id: Type.Integer(), path: Type.String() }),
  'project.member.added': Type.Object({ user_id: Type.Integer(), access_level: Type.Integer(), member_role_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The custom role, if any' }) }),
  'project.member.updated': Type.Object({
    user_id: Type.Integer(),
    access_level: Type.Integer({ description: 'The new access level' }),
    member_role_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The custom role now held, if any' }),
  }),
  'project.member.removed': Type.Object({ user_id: Type.Integer() }),
} as const;
