import type { Generated } from 'kysely';
import type { InstanceState } from '../agent-protocol/protocol.ts';

export interface ServingAgentsTable {
  id: Generated<number>;
  token_hash: string;
  token_hint: string;
  description: string;
  /** JSON list: the labels it was created with. */
  labels: string;
  /** JSON list: the labels it gave at its last check-in (`--labels`). */
  reported_labels: string;
  /** null: an instance agent (an administrator's), serving any project. */
  project_id: number | null;
  creator_id: number | null;
  /** JSON of the last check-in: version, platform, python. */
  info: string;
  ip: string | null;
  contacted_at: number | null;
  created_at: number;
}

/** What an agent last reported about one instance it runs. */
export interface AgentInstancesTable {
  agent_id: number;
  instance_id: string;
  environment_id: number;
  version_id: number;
  state: InstanceState;
  endpoint: string | null;
  restarts: number;
  message: string;
  reported_at: number;
}

export interface TargetTables {
  serving_agents: ServingAgentsTable;
  agent_instances: AgentInstancesTable;
}
