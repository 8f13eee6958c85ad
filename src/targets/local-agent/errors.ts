import { defineErrors } from '../../shared/errors.ts';

export const AgentErrors = defineErrors('agents', {
  INVALID_AGENT_TOKEN: { kind: 'unauthenticated', message: '401 Unauthorized: invalid serving agent token (glagent-…)' },
  AGENT_NOT_FOUND: { kind: 'not_found', message: ({ id }: { id: number }) => `404 Serving agent ${id} Not Found` },
  INSTANCE_NOT_ASSIGNED: { kind: 'not_found', message: ({ id }: { id: string }) => `404 Instance ${id} is not assigned to this agent: stop it` },
});
