import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { Assignments, AssignmentsQuery, CheckInBody, CheckInReply, InstanceParams, InstanceReport, InstanceReportReply, MAX_ASSIGNMENTS_WAIT_SECONDS } from '../../agent-protocol/protocol.ts';
import { anonymousCaller } from '../../auth/caller.ts';
import { serverAccess } from '../../auth/policy.ts';
import { accessOf } from '../../auth/request-context.ts';
import { pageWindow, sendPage } from '../../http/pagination.ts';
import { Bytes, NoContent, replies } from '../../http/responses.ts';
import { ProjectIdParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import type { ProjectsService } from '../../projects/projects-service.ts';
import type { AgentsService } from './agents-service.ts';
import type { VersionArchives } from './archives.ts';
import type { AssignmentsService } from './assignments.ts';
import { Agent, AgentParams, AgentsQuery, CreateAgentBody, CreatedAgent, ProjectAgentParams } from './contract.ts';
import { AgentErrors } from './errors.ts';
import type { LocalAgentTarget } from './local-agent-target.ts';

export interface AgentRouteDeps {
  agents: AgentsService;
  assignments: AssignmentsService;
  target: LocalAgentTarget;
  projects: ProjectsService;
  archives: () => VersionArchives;
  /** The longest a long poll is held: half the stale window, so a waiting agent never looks silent. */
  maxWaitSeconds: number;
}

const tags = ['serving agents'];

/** Creating, listing and removing serving agents: a project's maintainers for the project, administrators for the instance. */
export async function agentAdminRoutes(app: App, deps: AgentRouteDeps): Promise<void> {
  const { agents } = deps;

  app.post(
    '/api/v4/projects/:id/serving_agents',
    {
      config: { ability: 'environments:admin' },
      schema: { tags, summary: 'Create a serving agent for the project; its token is shown once', params: ProjectIdParams, body: CreateAgentBody, response: replies({ 201: CreatedAgent }) },
    },
    async (request, reply) => reply.status(201).send(await agents.create(request.caller, accessOf(request).project.id, request.body)),
  );

  app.get(
    '/api/v4/projects/:id/serving_agents',
    {
      config: { ability: 'environments:admin-read' },
      schema: { tags, summary: "The agents that may serve the project (its own and the instance's)", params: ProjectIdParams, querystring: AgentsQuery, response: replies({ 200: Type.Array(Agent) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await agents.list({ projectId: accessOf(request).project.id }, window);
      return sendPage(request, reply, window, { total: page.total, items: await agents.present(page.items) });
    },
  );

  app.delete(
    '/api/v4/projects/:id/serving_agents/:agent_id',
    {
      config: { ability: 'environments:admin' },
      schema: { tags, summary: "Remove one of the project's agents (its token stops working)", params: ProjectAgentParams, response: replies({ 204: NoContent }) },
    },
    async (request, reply) => {
      await agents.delete(request.caller, accessOf(request), request.params.agent_id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v4/serving_agents',
    {
      config: { ability: 'admin:write' },
      schema: { tags, summary: 'Create an instance agent (serves any project); its token is shown once', body: CreateAgentBody, response: replies({ 201: CreatedAgent }) },
    },
    async (request, reply) => reply.status(201).send(await agents.create(request.caller, null, request.body)),
  );

  app.get(
    '/api/v4/serving_agents',
    { config: { ability: 'admin:read' }, schema: { tags, summary: 'Every serving agent', querystring: AgentsQuery, response: replies({ 200: Type.Array(Agent) }) } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await agents.list('all', window);
      return sendPage(request, reply, window, { total: page.total, items: await agents.present(page.items) });
    },
  );

  app.delete(
    '/api/v4/serving_agents/:agent_id',
    { config: { ability: 'admin:write' }, schema: { tags, summary: 'Remove an instance agent', params: AgentParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await agents.delete(request.caller, null, request.params.agent_id);
      return reply.status(204).send(null);
    },
  );
}

/**
 * The agent protocol (src/agent-protocol/protocol.ts): every call carries the agent's token,
 * checked here ('agent:protocol' reads no caller credential), and counts as contact.
 */
export async function agentProtocolRoutes(app: App, deps: AgentRouteDeps): Promise<void> {
  const { agents, assignments, target } = deps;

  app.post(
    '/api/v4/agent/sessions',
    { config: { ability: 'agent:protocol' }, schema: { tags, summary: 'Agent check-in', body: CheckInBody, response: replies({ 200: CheckInReply }) } },
    async (request) => {
      const agent = await agents.checkIn(await agents.authenticate(request.headers.authorization), request.body, request.ip);
      return { agent_id: agent.id, poll_seconds: deps.maxWaitSeconds };
    },
  );

  app.get(
    '/api/v4/agent/assignments',
    {
      config: { ability: 'agent:protocol' },
      schema: {
        tags,
        summary: "The agent's desired state: the instances it must run (long poll on revision)",
        querystring: AssignmentsQuery,
        response: replies({ 200: Assignments, 304: { description: 'Not modified: the desired state still equals `revision`', type: 'null' } }),
      },
    },
    async (request, reply) => {
      const agent = await agents.touch(await agents.authenticate(request.headers.authorization), request.ip);
      const waitSeconds = Math.min(request.query.wait ?? 0, deps.maxWaitSeconds, MAX_ASSIGNMENTS_WAIT_SECONDS);
      const gone = new AbortController();
      request.raw.once('close', () => gone.abort());
      const changed = await assignments.await(agent, request.query.revision, waitSeconds * 1000, gone.signal);
      await agents.touch(agent, request.ip);
      if (!changed) return reply.status(304).send(null);
      await target.forgetUnassigned(
        agent,
        changed.instances.map((i) => i.instance_id),
      );
      return changed;
    },
  );

  app.put(
    '/api/v4/agent/instances/:instance_id',
    {
      config: { ability: 'agent:protocol' },
      schema: {
        tags,
        summary: "An agent's report on one instance (404: no longer assigned, stop it; 409: another agent's instance holds the endpoint)",
        params: InstanceParams,
        body: InstanceReport,
        response: replies({ 200: InstanceReportReply }),
      },
    },
    async (request) => {
      const agent = await agents.touch(await agents.authenticate(request.headers.authorization), request.ip);
      await target.report(agent, request.params.instance_id, request.body);
      return {};
    },
  );

  app.get(
    '/api/v4/agent/instances/:instance_id/archive',
    {
      config: { ability: 'agent:protocol' },
      schema: {
        tags,
        summary: "An assigned instance's model files: the version's archive (tar.gz), for the agent that runs it",
        params: InstanceParams,
        response: replies({ 200: Bytes('application/gzip', "The version's files as one deterministic tar.gz; ETag: its SHA-256") }),
      },
    },
    async (request, reply) => {
      const agent = await agents.touch(await agents.authenticate(request.headers.authorization), request.ip);
      const { instances } = await assignments.compute(agent);
      const assigned = instances.find((i) => i.wire.instance_id === request.params.instance_id);
      if (!assigned) throw AgentErrors.INSTANCE_NOT_ASSIGNED({ id: request.params.instance_id });
      const project = await deps.projects.getRow(assigned.version.projectId);
      const archive = await deps.archives().prepare(serverAccess({ id: project.id, visibility: project.visibility }, anonymousCaller(request.ip)), assigned.version.modelId, assigned.version.version);
      reply.header('ETag', `"${archive.sha256}"`);
      reply.header('Content-Type', 'application/gzip');
      reply.header('Content-Length', String(archive.size));
      // A stream: the typed reply knows only the JSON answers.
      return (reply as FastifyReply).send(archive.open());
    },
  );
}
