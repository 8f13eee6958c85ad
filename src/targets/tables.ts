import type { Generated } from 'kysely';
import type { InstanceState } from '../agent-protocol/protocol.ts';
import { sealedColumn } from '../secrets/sealed-column.ts';

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

/** The Kubernetes namespace a KServe environment is bound to (one row per environment). */
export interface KubernetesTargetsTable {
  environment_id: number;
  api_url: string;
  namespace: string;
  /** PEM of the API server's CA, sealed (KUBERNETES_CA_PEM); null: the system's CAs. */
  ca_pem: string | null;
  /** The bearer token, sealed (KUBERNETES_TOKEN): never returned. */
  token: string;
  /** The service account that carries the S3 Secret, for `s3://` storage URIs. */
  service_account: string | null;
  /** Why the last apply failed; null once one succeeds. */
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** The Google Cloud project and location a Vertex AI environment deploys to (one row per environment). */
export interface VertexTargetsTable {
  environment_id: number;
  gcp_project: string;
  location: string;
  /** `gs://bucket/prefix`: each version's files go under `{prefix}/modelyard/{project}/v{version id}/`. */
  staging_uri: string;
  machine_type: string;
  min_replicas: number;
  max_replicas: number;
  /** null: Google's regional endpoint (`https://{location}-aiplatform.googleapis.com`). */
  api_url: string | null;
  /** null: `https://storage.googleapis.com`. */
  storage_url: string | null;
  /** The service-account key's JSON, sealed (VERTEX_SERVICE_ACCOUNT_KEY): never returned; null: the project's Google Cloud integration's key. */
  service_account_key: string | null;
  /** Why the last apply failed; null once one succeeds. */
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** A version uploaded to a Vertex AI environment's project: the Vertex model it became. */
export interface VertexTargetModelsTable {
  environment_id: number;
  version_id: number;
  model_name: string;
  artifact_uri: string;
  created_at: number;
}

export const KUBERNETES_TOKEN = sealedColumn('kubernetes_targets', 'token', ['environment_id']);
export const KUBERNETES_CA_PEM = sealedColumn('kubernetes_targets', 'ca_pem', ['environment_id']);
export const VERTEX_SERVICE_ACCOUNT_KEY = sealedColumn('vertex_targets', 'service_account_key', ['environment_id']);
export const TARGET_SEALED_COLUMNS = [KUBERNETES_TOKEN, KUBERNETES_CA_PEM, VERTEX_SERVICE_ACCOUNT_KEY] as const;

export interface TargetTables {
  serving_agents: ServingAgentsTable;
  agent_instances: AgentInstancesTable;
  kubernetes_targets: KubernetesTargetsTable;
  vertex_targets: VertexTargetsTable;
  vertex_target_models: VertexTargetModelsTable;
}
