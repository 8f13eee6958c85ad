import { defineErrors } from '../../shared/errors.ts';

export const AgentErrors = defineErrors('agents', {
  INVALID_AGENT_TOKEN: { kind: 'unauthenticated', message: '401 Unauthorized: invalid serving agent token (glagent-…)' },
  AGENT_NOT_FOUND: { kind: 'not_found', message: ({ id }: { id: number }) => `404 Serving agent ${id} Not Found` },
  ENDPOINT_HELD_BY_ANOTHER_AGENT: {
    kind: 'conflict',
    message: ({ endpoint }: { endpoint: string }) => `409 ${endpoint} is the endpoint of another agent's instance: report the port your own model server listens on`,
  },
  INSTANCE_NOT_ASSIGNED: { kind: 'not_found', message: ({ id }: { id: string }) => `404 Instance ${id} is not assigned to this agent: stop it` },
});
