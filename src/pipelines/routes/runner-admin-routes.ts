import { Type } from 'typebox';
import { pageWindow, PaginationQuery, sendPage } from '../../http/pagination.ts';
import { NoContent, replies } from '../../http/responses.ts';
import { NumericId, ProjectIdParams } from '../../http/schemas.ts';
import { Runner, RunnerToken } from '../contract.ts';
import { type App } from '../../http/types.ts';
import { accessOf } from '../../auth/request-context.ts';
import { TagList } from '../../runner-protocol/requests.ts';
import { presentRunner, tagList, type RunnersService } from '../runners-service.ts';

const tags = ['runners'];
const RunnerParams = Type.Object({ runner_id: NumericId });
const RunnerFields = {
  description: Type.Optional(Type.String({ maxLength: 255 })),
  tag_list: Type.Optional(TagList),
  run_untagged: Type.Optional(Type.Boolean()),
  paused: Type.Optional(Type.Boolean()),
};

/** People managing runners (GitLab's `/user/runners`, `/runners`, `/projects/:id/runners`); the native API's strict bodies. */
export async function runnerAdminRoutes(app: App, deps: { runners: RunnersService }): Promise<void> {
  const { runners } = deps;

  app.post(
    '/api/v4/user/runners',
    {
      config: { ability: 'runners:manage' },
      schema: {
        tags,
        summary: 'Create a runner; its authentication token (glrt-…) is shown once',
        response: replies({ 201: RunnerToken }),
        body: Type.Object(
          { runner_type: Type.Union([Type.Literal('instance_type'), Type.Literal('project_type')]), project_id: Type.Optional(NumericId), ...RunnerFields },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const created = await runners.create(request.caller, { ...request.body, tag_list: tagList(request.body.tag_list) });
      return reply.status(201).send({ id: created.row.id, token: created.token, token_expires_at: null });
    },
  );

  app.get(
    '/api/v4/runners',
    {
      config: { ability: 'runners:read' },
      schema: { tags, summary: 'Runners the caller manages (all of them for admins)', querystring: PaginationQuery, response: replies({ 200: Type.Array(Runner) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await runners.list(request.caller, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentRunner) });
    },
  );

  app.get(
    '/api/v4/runners/:runner_id',
    { config: { ability: 'runners:read' }, schema: { tags, summary: 'One runner, with the GPUs it reported', params: RunnerParams, response: replies({ 200: Runner }) } },
    async (request) => presentRunner(await runners.get(request.caller, request.params.runner_id)),
  );

  app.put(
    '/api/v4/runners/:runner_id',
    {
      config: { ability: 'runners:manage' },
      schema: {
        tags,
        summary: 'Change, pause or resume a runner',
        params: RunnerParams,
        response: replies({ 200: Runner }),
        body: Type.Object(RunnerFields, { additionalProperties: false, minProperties: 1 }),
      },
    },
    async (request) => presentRunner(await runners.update(request.caller, request.params.runner_id, { ...request.body, tag_list: tagList(request.body.tag_list) })),
  );

  app.delete(
    '/api/v4/runners/:runner_id',
    { config: { ability: 'runners:manage' }, schema: { tags, summary: 'Delete a runner', params: RunnerParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await runners.delete(request.caller, request.params.runner_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/runners',
    {
      config: { ability: 'ci:admin-read' },
      schema: { tags, summary: "Runners that can take the project's jobs", params: ProjectIdParams, querystring: PaginationQuery, response: replies({ 200: Type.Array(Runner) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await runners.list(request.caller, { ...window, projectId: accessOf(request).project.id });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentRunner) });
    },
  );
}
