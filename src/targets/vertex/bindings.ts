import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { parseGsUri } from '../../integrations/google/cloud-storage.ts';
import { parseServiceAccountKey } from '../../integrations/google/service-account-key.ts';
import type { OutboundPolicy } from '../../outbound/outbound-policy.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { now } from '../../shared/clock.ts';
import { serviceUrlRefusal } from '../service-url.ts';
import { VERTEX_SERVICE_ACCOUNT_KEY, type VertexTargetsTable } from '../tables.ts';
import { VertexTargetErrors } from './errors.ts';

/** What binds an environment to a Vertex AI project and location, as a maintainer gives it. */
export interface VertexBindingInput {
  gcp_project: string;
  location: string;
  staging_uri: string;
  /** The key file's JSON; omitted: keep the stored one; null: use the project's Google Cloud integration's key. */
  service_account_key?: string | null;
  machine_type?: string;
  min_replicas?: number;
  max_replicas?: number;
  /** Omitted or null: Google's own endpoints. */
  api_url?: string | null;
  storage_url?: string | null;
}

/** The project's Google Cloud integration's key (its JSON), or null. */
export type ProjectKey = (projectId: number) => Promise<string | null>;

/** A binding's row and the key it uses now (its own, else its project's integration's; null: neither is there). */
export async function vertexBinding(
  db: Kysely<Schema>,
  deps: { secrets: SecretBox; projectKey: ProjectKey },
  environmentId: number,
): Promise<{ row: VertexTargetsTable; projectId: number; keyText: string | null } | null> {
  const found = await db
    .selectFrom('vertex_targets')
    .innerJoin('environments', 'environments.id', 'vertex_targets.environment_id')
    .selectAll('vertex_targets')
    .select('environments.project_id')
    .where('vertex_targets.environment_id', '=', environmentId)
    .executeTakeFirst();
  if (!found) return null;
  const { project_id, ...row } = found;
  const projectId = Number(project_id);
  const keyText = row.service_account_key === null ? await deps.projectKey(projectId) : deps.secrets.open(row.service_account_key, VERTEX_SERVICE_ACCOUNT_KEY.context(environmentId));
  return { row, projectId, keyText };
}

/** What is shown of a binding: never the key, only the account it names. */
export interface VertexBindingView {
  gcp_project: string;
  location: string;
  staging_uri: string;
  machine_type: string;
  min_replicas: number;
  max_replicas: number;
  api_url: string | null;
  storage_url: string | null;
  /** The account of the key in use; null when the environment relies on a project integration that was removed. */
  service_account: string | null;
  /** Whose key: the environment's own, or the project's Google Cloud integration's. */
  key_source: 'environment' | 'project_integration';
  last_error: string | null;
}

export const DEFAULT_MACHINE_TYPE = 'n1-standard-2';

/**
 * The Vertex AI settings of environments (the targets domain's table): the project, location
 * and staging folder, the machines, optional private endpoints (which the outbound policy must
 * allow), and the service-account key, sealed in its row.
 */
export class VertexBindings {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { secrets: SecretBox; outbound: OutboundPolicy; projectKey: ProjectKey },
  ) {}

  async view(environmentId: number): Promise<VertexBindingView | null> {
    const bound = await vertexBinding(this.db, this.deps, environmentId);
    if (!bound) return null;
    const { gcp_project, location, staging_uri, machine_type, min_replicas, max_replicas, api_url, storage_url, last_error } = bound.row;
    const service_account = bound.keyText === null ? null : parseServiceAccountKey(bound.keyText).clientEmail;
    const key_source = bound.row.service_account_key === null ? 'project_integration' : 'environment';
    return { gcp_project, location, staging_uri, machine_type, min_replicas, max_replicas, api_url, storage_url, service_account, key_source, last_error };
  }

  /** Checks what can be checked before anything is written: the key, the staging folder, the endpoints (and the outbound policy). */
  async check(input: VertexBindingInput): Promise<void> {
    if (typeof input.service_account_key === 'string') parseServiceAccountKey(input.service_account_key);
    if (parseGsUri(input.staging_uri) === null) throw VertexTargetErrors.INVALID_STAGING_URI();
    const min = input.min_replicas ?? 1;
    const max = input.max_replicas ?? min;
    if (max < min) throw VertexTargetErrors.REPLICAS_OUT_OF_ORDER({ min, max });
    for (const field of ['api_url', 'storage_url'] as const) {
      const url = input[field];
      if (url === undefined || url === null) continue;
      const refusal = await serviceUrlRefusal(url, this.deps.outbound, 'service_account_key');
      if (refusal !== null) throw VertexTargetErrors.INVALID_ENDPOINT_URL({ field, reason: refusal });
    }
  }

  /** Inside the caller's transaction (the environment's own change goes with it). */
  async write(trx: Kysely<Schema>, environment: { id: number; projectId: number }, input: VertexBindingInput): Promise<void> {
    const environmentId = environment.id;
    const existing = await trx.selectFrom('vertex_targets').select('service_account_key').where('environment_id', '=', environmentId).executeTakeFirst();
    const given = input.service_account_key;
    // No key of its own (none given the first time, or null): the project's integration must have one.
    const own = given === undefined ? (existing?.service_account_key ?? null) : given === null ? null : this.deps.secrets.seal(given, VERTEX_SERVICE_ACCOUNT_KEY.context(environmentId));
    // Read in the transaction (on SQLite, another connection would wait for it to end).
    const integration = own === null ? await trx.selectFrom('google_cloud_integrations').select('project_id').where('project_id', '=', environment.projectId).executeTakeFirst() : null;
    if (own === null && !integration) throw VertexTargetErrors.KEY_REQUIRED();
    const key = own;
    const min = input.min_replicas ?? 1;
    const values = {
      gcp_project: input.gcp_project,
      location: input.location,
      staging_uri: input.staging_uri.replace(/\/+$/, ''),
      machine_type: input.machine_type ?? DEFAULT_MACHINE_TYPE,
      min_replicas: min,
      max_replicas: input.max_replicas ?? min,
      api_url: input.api_url ?? null,
      storage_url: input.storage_url ?? null,
      service_account_key: key,
      last_error: null,
      updated_at: now(),
    };
    await trx
      .insertInto('vertex_targets')
      .values({ environment_id: environmentId, ...values, created_at: now() })
      .onConflict((oc) => oc.column('environment_id').doUpdateSet(values))
      .execute();
  }

  /** The settings go; what was uploaded is forgotten too (the models stay in the Vertex project, which owns them). */
  async remove(trx: Kysely<Schema>, environmentId: number): Promise<boolean> {
    await trx.deleteFrom('vertex_target_models').where('environment_id', '=', environmentId).execute();
    const result = await trx.deleteFrom('vertex_targets').where('environment_id', '=', environmentId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
