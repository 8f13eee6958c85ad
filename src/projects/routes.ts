import { Type } from 'typebox';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { isTrue, NumericId, ProjectIdParams, QueryBoolean } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import type { MembersService } from './members-service.ts';
import type { ProjectsService } from './projects-service.ts';

const Visibility = Type.Union([Type.Literal('private'), Type.Literal('internal'), Type.Literal('public')]);

const ProjectBody = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  path: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.String({ maxLength: 20_000 }),
  visibility: Visibility,
};

const MemberParams = Type.Intersect([ProjectIdParams, Type.Object({ user_id: NumericId })]);
const AccessLevel = Type.Integer({ minimum: 10, maximum: 50 });

export async function projectRoutes(app: App, deps: { projects: ProjectsService; members: MembersService }): Promise<void> {
  const { projects, members } = deps;

  app.get(
    '/api/v4/projects',
    {
      config: { ability: 'projects:list' },
      schema: {
        tags: ['projects'],
        summary: 'List the projects the caller can see',
        querystring: Type.Intersect([
          PaginationQuery,
          Type.Object({
            search: Type.Optional(Type.String({ maxLength: 255 })),
            visibility: Type.Optional(Visibility),
            membership: Type.Optional(QueryBoolean),
            order_by: Type.Optional(Type.Union(['id', 'name', 'path', 'created_at', 'last_activity_at'].map((v) => Type.Literal(v)))),
            sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
          }),
        ]),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const query = request.query;
      const page = await projects.listVisible(request.caller, {
        search: query.search,
        visibility: query.visibility,
        membership: isTrue(query.membership),
        offset: window.offset,
        limit: window.limit,
        orderBy: (query.order_by as 'id' | 'name' | 'path' | 'created_at' | 'last_activity_at' | undefined) ?? 'created_at',
        sort: query.sort ?? 'desc',
      });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((row) => projects.present(row)) });
    },
  );

  app.post(
    '/api/v4/projects',
    {
      config: { ability: 'projects:create' },
      schema: {
        tags: ['projects'],
        summary: 'Create a project; the caller becomes its owner',
        body: Type.Object(
          {
            name: Type.Optional(ProjectBody.name),
            path: Type.Optional(ProjectBody.path),
            description: Type.Optional(ProjectBody.description),
            visibility: Type.Optional(Visibility),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const row = await projects.create(request.caller, request.body);
      const { access } = await projects.authorize(request.caller, row.id, 'project:read');
      return reply.status(201).send(projects.present(row, access));
    },
  );

  app.get('/api/v4/projects/:id', { config: { ability: 'project:read' }, schema: { tags: ['projects'], summary: 'One project, by id or URL-encoded path', params: ProjectIdParams } }, async (request) => {
    const access = accessOf(request);
    return projects.present(await projects.getRow(access.project.id), access);
  });

  app.put(
    '/api/v4/projects/:id',
    {
      config: { ability: 'project:update' },
      schema: {
        tags: ['projects'],
        summary: 'Update a project (maintainers)',
        params: ProjectIdParams,
        body: Type.Object(
          {
            name: Type.Optional(ProjectBody.name),
            path: Type.Optional(ProjectBody.path),
            description: Type.Optional(ProjectBody.description),
            visibility: Type.Optional(Visibility),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) => {
      const access = accessOf(request);
      return projects.present(await projects.update(access, request.body), access);
    },
  );

  app.delete('/api/v4/projects/:id', { config: { ability: 'project:delete' }, schema: { tags: ['projects'], summary: 'Delete a project (owners)', params: ProjectIdParams } }, async (request, reply) => {
    await projects.delete(accessOf(request));
    return reply.status(202).send({ message: '202 Accepted' });
  });

  // --- members ------------------------------------------------------------------------------
  app.get(
    '/api/v4/projects/:id/members',
    { config: { ability: 'members:read' }, schema: { tags: ['members'], summary: "List a project's members", params: ProjectIdParams, querystring: PaginationQuery } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      return sendPage(request, reply, window, await members.list(accessOf(request), window));
    },
  );

  app.get('/api/v4/projects/:id/members/:user_id', { config: { ability: 'members:read' }, schema: { tags: ['members'], summary: 'One member', params: MemberParams } }, async (request) =>
    members.get(accessOf(request), request.params.user_id),
  );

  app.post(
    '/api/v4/projects/:id/members',
    {
      config: { ability: 'members:manage' },
      schema: {
        tags: ['members'],
        summary: 'Add a member with a role (maintainers; owners for the owner role)',
        params: ProjectIdParams,
        body: Type.Object({ user_id: NumericId, access_level: AccessLevel }, { additionalProperties: false }),
      },
    },
    async (request, reply) => reply.status(201).send(await members.add(accessOf(request), request.body.user_id, request.body.access_level)),
  );

  app.put(
    '/api/v4/projects/:id/members/:user_id',
    {
      config: { ability: 'members:manage' },
      schema: { tags: ['members'], summary: "Change a member's role", params: MemberParams, body: Type.Object({ access_level: AccessLevel }, { additionalProperties: false }) },
    },
    async (request) => members.update(accessOf(request), request.params.user_id, request.body.access_level),
  );

  app.delete('/api/v4/projects/:id/members/:user_id', { config: { ability: 'members:manage' }, schema: { tags: ['members'], summary: 'Remove a member', params: MemberParams } }, async (request, reply) => {
    await members.remove(accessOf(request), request.params.user_id);
    return reply.status(204).send();
  });
}
