import { Type } from 'typebox';
import { noBodyIsEmpty } from '../http/no-body.ts';
import { accessOf } from '../auth/request-context.ts';
import { pageWindow, sendPage } from '../http/pagination.ts';
import { NoContent, replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import {
  CreateEnvironmentBody,
  Deployment,
  Environment,
  EnvironmentDetail,
  EnvironmentParams,
  EnvironmentsQuery,
  PromoteBody,
  RollbackBody,
  StopBody,
  StopStaleBody,
  StopStaleQuery,
  StopStaleReply,
  UpdateEnvironmentBody,
} from './contract.ts';
import type { DeploymentsDomain } from './domain.ts';
import { DeploymentErrors } from './errors.ts';
import { presentDeployment, presentEnvironment, presentEnvironmentDetail } from './present.ts';

const tags = ['deployments'];

/** GitLab's environments API, plus rollback and canary promotion. */
export async function environmentRoutes(app: App, domain: DeploymentsDomain): Promise<void> {
  const { environments, rollouts } = domain;
  const publicUrl = app.publicUrl;

  app.get(
    '/api/v4/projects/:id/environments',
    {
      config: { ability: 'deployments:read' },
      schema: { tags, summary: "A project's environments", params: ProjectIdParams, querystring: EnvironmentsQuery, response: replies({ 200: Type.Array(Environment) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await environments.list(accessOf(request), request.query, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((env) => presentEnvironment(env, publicUrl)) });
    },
  );

  app.post(
    '/api/v4/projects/:id/environments',
    { config: { ability: 'environments:admin' }, schema: { tags, summary: 'Create an environment', params: ProjectIdParams, body: CreateEnvironmentBody, response: replies({ 201: Environment }) } },
    async (request, reply) => reply.status(201).send(presentEnvironment(await environments.create(accessOf(request), request.body), publicUrl)),
  );

  app.get(
    '/api/v4/projects/:id/environments/:environment_id',
    {
      config: { ability: 'deployments:read' },
      schema: { tags, summary: 'An environment: what runs there, its last deployment and its health', params: EnvironmentParams, response: replies({ 200: EnvironmentDetail }) },
    },
    async (request) => {
      const detail = await environments.detail(accessOf(request), request.params.environment_id);
      return presentEnvironmentDetail(detail.env, publicUrl, detail);
    },
  );

  app.put(
    '/api/v4/projects/:id/environments/:environment_id',
    {
      config: { ability: 'environments:admin' },
      schema: { tags, summary: "Change an environment's URL, tier, agent labels, timeout or command", params: EnvironmentParams, body: UpdateEnvironmentBody, response: replies({ 200: Environment }) },
    },
    async (request) => presentEnvironment(await environments.update(accessOf(request), request.params.environment_id, request.body), publicUrl),
  );

  app.delete(
    '/api/v4/projects/:id/environments/:environment_id',
    { config: { ability: 'environments:admin' }, schema: { tags, summary: 'Delete a stopped environment', params: EnvironmentParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await environments.delete(accessOf(request), request.params.environment_id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v4/projects/:id/environments/:environment_id/stop',
    {
      config: { ability: 'deployments:write' },
      preValidation: noBodyIsEmpty,
      schema: { tags, summary: 'Stop an environment (its on_stop job runs first unless force)', params: EnvironmentParams, body: Type.Optional(StopBody), response: replies({ 200: Environment }) },
    },
    async (request) => presentEnvironment(await environments.stop(accessOf(request), request.params.environment_id, { force: request.body?.force }), publicUrl),
  );

  app.post(
    '/api/v4/projects/:id/environments/stop_stale',
    {
      config: { ability: 'deployments:write' },
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: 'Stop every available, unprotected environment not changed or deployed to since a date (GitLab stop_stale)',
        params: ProjectIdParams,
        querystring: StopStaleQuery,
        body: Type.Optional(StopStaleBody),
        response: replies({ 200: StopStaleReply }),
      },
    },
    async (request) => {
      const before = request.query.before ?? request.body?.before;
      if (before === undefined) throw DeploymentErrors.STALE_DATE_MISSING();
      await environments.stopStale(accessOf(request), before);
      return { message: 'Successfully requested stop for all stale environments' };
    },
  );

  app.post(
    '/api/v4/projects/:id/environments/:environment_id/rollback',
    {
      config: { ability: 'deployments:write' },
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: "Roll back in one call: the previous successful deployment's versions and policy, with the reason recorded",
        params: EnvironmentParams,
        body: RollbackBody,
        response: replies({ 201: Deployment }),
      },
    },
    async (request, reply) => reply.status(201).send(presentDeployment(await rollouts.rollback(accessOf(request), request.params.environment_id, request.body.reason))),
  );

  app.post(
    '/api/v4/projects/:id/environments/:environment_id/promote',
    {
      config: { ability: 'deployments:write' },
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: 'Take a canary to its next step now (or promote it at its last), without waiting for its gates',
        params: EnvironmentParams,
        body: Type.Optional(PromoteBody),
        response: replies({ 201: Deployment }),
      },
    },
    async (request, reply) => reply.status(201).send(presentDeployment(await rollouts.promote(accessOf(request), request.params.environment_id, request.body?.reason))),
  );
}
