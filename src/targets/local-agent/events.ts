import { Type } from 'typebox';

const AgentPayload = Type.Object({ agent_id: Type.Integer(), description: Type.String(), labels: Type.Array(Type.String()), scope: Type.String({ description: 'project or instance' }) });

/** Serving agents created and removed (their check-ins and reports are not events: they are frequent and change no desired state). */
export const AgentEvents = {
  'deployments.agent.created': AgentPayload,
  'deployments.agent.deleted': AgentPayload,
} as const;
