import { Type } from 'typebox';
import { NoContent, replies } from '../../http/responses.ts';
import { NumericId, ProjectIdParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { accessOf } from '../request-context.ts';
import { GroupLink, GroupLinkBody } from './contract.ts';
import type { GroupLinkRow, GroupLinksService } from './group-links-service.ts';

const tags = ['members'];
const LinkParams = Type.Intersect([ProjectIdParams, Type.Object({ link_id: NumericId })]);
const present = (row: GroupLinkRow): GroupLink => ({ id: row.id, provider: row.provider, group_name: row.group_name, access_level: row.access_level as GroupLink['access_level'] });

/** A project's single sign-on group links: `/projects/:id/sso_group_links`, kept by maintainers. */
export async function groupLinkRoutes(app: App, deps: { groupLinks: GroupLinksService }): Promise<void> {
  const { groupLinks } = deps;
  app.get(
    '/api/v4/projects/:id/sso_group_links',
    { config: { ability: 'members:read' }, schema: { tags, summary: "The project's single sign-on group links", params: ProjectIdParams, response: replies({ 200: Type.Array(GroupLink) }) } },
    async (request) => (await groupLinks.list(accessOf(request))).map(present),
  );
  app.post(
    '/api/v4/projects/:id/sso_group_links',
    {
      config: { ability: 'members:manage' },
      schema: { tags, summary: "Give a provider's group a role in the project (or change it)", params: ProjectIdParams, body: GroupLinkBody, response: replies({ 201: GroupLink }) },
    },
    async (request, reply) => reply.status(201).send(present(await groupLinks.put(accessOf(request), request.body))),
  );
  app.delete(
    '/api/v4/projects/:id/sso_group_links/:link_id',
    {
      config: { ability: 'members:manage' },
      schema: { tags, summary: 'Remove a group link; the memberships it gave end at their next sign-in', params: LinkParams, response: replies({ 204: NoContent }) },
    },
    async (request, reply) => {
      await groupLinks.remove(accessOf(request), request.params.link_id);
      return reply.status(204).send(null);
    },
  );
}
