import { Type, type Static, type TSchema } from 'typebox';
import { Closed } from '../../http/responses.ts';
import { NumericId, ProjectIdParams } from '../../http/schemas.ts';
import { PaginationQuery } from '../../http/pagination-query.ts';

/**
 * Managing serving agents (created like runners: by a project's maintainers for the project,
 * by administrators for the instance). The protocol the agents speak is src/agent-protocol/.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Label = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

export const CreateAgentBody = Closed({
  description: Type.Optional(Type.String({ maxLength: 255 })),
  labels: Type.Optional(Type.Array(Label, { maxItems: 20, description: 'An environment with agent_labels is served by the agents whose labels include all of them' })),
});
export type CreateAgentBody = Static<typeof CreateAgentBody>;

const agentProperties = {
  id: Type.Integer(),
  description: Type.String(),
  labels: Type.Array(Type.String()),
  project_id: Nullable(Type.Integer({ description: 'null: an instance agent, serving any project' })),
  created_at: Type.String(),
};

export const CreatedAgent = Closed({ ...agentProperties, token: Type.String({ description: 'glagent-…: shown once; `modelyard agent --url … --token …`' }) });
export type CreatedAgent = Static<typeof CreatedAgent>;

export const Agent = Closed({
  ...agentProperties,
  reported_labels: Type.Array(Type.String(), { description: 'Labels the agent added at its last check-in (--labels)' }),
  status: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('never_contacted')], { description: 'offline: no call for longer than MODELYARD_AGENT_STALE_SECONDS' }),
  contacted_at: Nullable(Type.String()),
  ip_address: Nullable(Type.String()),
  version: Nullable(Type.String()),
  platform: Nullable(Type.String()),
  python: Nullable(Closed({ version: Type.String(), mlflow: Type.String() })),
  instances: Type.Integer({ description: 'Instances it reported and still runs' }),
});
export type Agent = Static<typeof Agent>;

export const AgentParams = Type.Object({ agent_id: NumericId });
export const ProjectAgentParams = Type.Intersect([ProjectIdParams, AgentParams]);
export const AgentsQuery = PaginationQuery;
