import { NoContent, replies } from '../../http/responses.ts';
import type { App } from '../../http/types.ts';
import { CreateMemberRoleBody, MemberRoleList, MemberRoleNative, MemberRoleParams } from './contract.ts';
import type { MemberRolesService } from './member-roles-service.ts';
import { presentMemberRole } from './present.ts';

const tags = ['member roles'];

/**
 * GitLab's instance member roles: `GET /member_roles` (any signed-in person, so that maintainers
 * can pick one for a member; GitLab lists them to administrators only), `POST` and `DELETE`
 * (administrators).
 */
export async function memberRoleRoutes(app: App, deps: { memberRoles: MemberRolesService }): Promise<void> {
  const { memberRoles } = deps;

  app.get('/api/v4/member_roles', { config: { ability: 'users:read' }, schema: { tags, summary: 'List the custom roles', response: replies({ 200: MemberRoleList }) } }, async () =>
    (await memberRoles.list()).map(presentMemberRole),
  );

  app.post(
    '/api/v4/member_roles',
    {
      config: { ability: 'admin:write' },
      schema: { tags, summary: 'Create a custom role: a base role plus extra abilities (administrators)', body: CreateMemberRoleBody, response: replies({ 201: MemberRoleNative }) },
    },
    async (request, reply) => reply.status(201).send(presentMemberRole(await memberRoles.create(request.caller, request.body))),
  );

  app.delete(
    '/api/v4/member_roles/:member_role_id',
    {
      config: { ability: 'admin:write' },
      schema: { tags, summary: 'Delete a custom role nobody holds (administrators)', params: MemberRoleParams, response: replies({ 204: NoContent }) },
    },
    async (request, reply) => {
      await memberRoles.delete(request.caller, request.params.member_role_id);
      return reply.status(204).send(null);
    },
  );
}
