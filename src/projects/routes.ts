import { accessOf } from '../auth/request-context.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NoContent, replies } from '../http/responses.ts';
import { isTrue, ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import {
  AddMemberBody,
  CreateProjectBody,
  MemberNative,
  MemberPage,
  MemberParams,
  ProjectDeletionAccepted,
  ProjectPage,
  ProjectsQuery,
  ProjectWithAccess,
  UpdateMemberBody,
  UpdateProjectBody,
} from './contract.ts';
import type { MembersService } from './members-service.ts';
import { presentMember, presentProject, presentProjectWithAccess } from './present.ts';
import type { ProjectsService } from './projects-service.ts';

export async function projectRoutes(app: App, deps: { projects: ProjectsService; members: MembersService }): Promise<void> {
  const { projects, members } = deps;

  app.get(
    '/api/v4/projects',
    {
      config: { ability: 'projects:list' },
      schema: { tags: ['projects'], summary: 'List the projects the caller can see', querystring: ProjectsQuery, response: replies({ 200: ProjectPage }) },
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
        orderBy: query.order_by ?? 'created_at',
        sort: query.sort ?? 'desc',
      });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((row) => presentProject(row, app.publicUrl)) });
    },
  );

  app.post(
    '/api/v4/projects',
    {
      config: { ability: 'projects:create' },
      schema: { tags: ['projects'], summary: 'Create a project; the caller becomes its owner', body: CreateProjectBody, response: replies({ 201: ProjectWithAccess }) },
    },
    async (request, reply) => {
      const { project, access } = await projects.createOwned(request.caller, request.body);
      return reply.status(201).send(presentProjectWithAccess(project, app.publicUrl, access));
    },
  );

  app.get(
    '/api/v4/projects/:id',
    { config: { ability: 'project:read' }, schema: { tags: ['projects'], summary: 'One project, by id or URL-encoded path', params: ProjectIdParams, response: replies({ 200: ProjectWithAccess }) } },
    async (request) => {
      const access = accessOf(request);
      return presentProjectWithAccess(await projects.getRow(access.project.id), app.publicUrl, access);
    },
  );

  app.put(
    '/api/v4/projects/:id',
    {
      config: { ability: 'project:update' },
      schema: { tags: ['projects'], summary: 'Update a project (maintainers)', params: ProjectIdParams, body: UpdateProjectBody, response: replies({ 200: ProjectWithAccess }) },
    },
    async (request) => {
      const access = accessOf(request);
      return presentProjectWithAccess(await projects.update(access, request.body), app.publicUrl, access);
    },
  );

  app.delete(
    '/api/v4/projects/:id',
    { config: { ability: 'project:delete' }, schema: { tags: ['projects'], summary: 'Delete a project (owners)', params: ProjectIdParams, response: replies({ 202: ProjectDeletionAccepted }) } },
    async (request, reply) => {
      await projects.delete(accessOf(request));
      return reply.status(202).send({ message: '202 Accepted' as const });
    },
  );

  // --- members ------------------------------------------------------------------------------
  app.get(
    '/api/v4/projects/:id/members',
    {
      config: { ability: 'members:read' },
      schema: { tags: ['members'], summary: "List a project's members", params: ProjectIdParams, querystring: PaginationQuery, response: replies({ 200: MemberPage }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await members.list(accessOf(request), window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentMember) });
    },
  );

  app.get(
    '/api/v4/projects/:id/members/:user_id',
    { config: { ability: 'members:read' }, schema: { tags: ['members'], summary: 'One member', params: MemberParams, response: replies({ 200: MemberNative }) } },
    async (request) => presentMember(await members.get(accessOf(request), request.params.user_id)),
  );

  app.post(
    '/api/v4/projects/:id/members',
    {
      config: { ability: 'members:manage' },
      schema: {
        tags: ['members'],
        summary: 'Add a member with a role (maintainers; owners for the owner role)',
        params: ProjectIdParams,
        body: AddMemberBody,
        response: replies({ 201: MemberNative }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(presentMember(await members.add(accessOf(request), request.body.user_id, request.body.access_level, undefined, request.body.member_role_id ?? null))),
  );

  app.put(
    '/api/v4/projects/:id/members/:user_id',
    {
      config: { ability: 'members:manage' },
      schema: { tags: ['members'], summary: "Change a member's role", params: MemberParams, body: UpdateMemberBody, response: replies({ 200: MemberNative }) },
    },
    async (request) => presentMember(await members.update(accessOf(request), request.params.user_id, request.body.access_level, request.body.member_role_id)),
  );

  app.delete(
    '/api/v4/projects/:id/members/:user_id',
    { config: { ability: 'members:manage' }, schema: { tags: ['members'], summary: 'Remove a member', params: MemberParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await members.remove(accessOf(request), request.params.user_id);
      return reply.status(204).send(null);
    },
  );
}
