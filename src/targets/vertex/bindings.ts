import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { parseGsUri } from '../../integrations/google/cloud-storage.ts';
import { parseServiceAccountKey } from '../../integrations/google/service-account-key.ts';
import type { OutboundPolicy } from '../../outbound/outbound-policy.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { now } from '../../shared/clock.ts';
import { serviceUrlRefusal } from '../service-url.ts';
import { VERTEX_SERVICE_ACCOUNT_KEY } from '../tables.ts';
import { VertexTargetErrors } from './errors.ts';

/** What binds an environment to a Vertex AI project and location, as a maintainer gives it. */
export interface VertexBindingInput {
  gcp_project: string;
  location: string;
  staging_uri: string;
  /** The key file's JSON; omitted: keep the stored one (required the first time). */
  service_account_key?: string;
  machine_type?: string;
  min_replicas?: number;
  max_replicas?: number;
  /** Omitted or null: Google's own endpoints. */
  api_url?: string | null;
  storage_url?: string | null;
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
  service_account: string;
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
    private readonly deps: { secrets: SecretBox; outbound: OutboundPolicy },
  ) {}

  async view(environmentId: number): Promise<VertexBindingView | null> {
    const row = await this.db.selectFrom('vertex_targets').selectAll().where('environment_id', '=', environmentId).executeTakeFirst();
    if (!row) return null;
    const key = parseServiceAccountKey(this.deps.secrets.open(row.service_account_key, VERTEX_SERVICE_ACCOUNT_KEY.context(environmentId)));
    const { gcp_project, location, staging_uri, machine_type, min_replicas, max_replicas, api_url, storage_url, last_error } = row;
    return { gcp_project, location, staging_uri, machine_type, min_replicas, max_replicas, api_url, storage_url, service_account: key.clientEmail, last_error };
  }

  /** Checks what can be checked before anything is written: the key, the staging folder, the endpoints (and the outbound policy). */
  async check(input: VertexBindingInput): Promise<void> {
    if (input.service_account_key !== undefined) parseServiceAccountKey(input.service_account_key);
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
  async write(trx: Kysely<Schema>, environmentId: number, input: VertexBindingInput): Promise<void> {
    const existing = await trx.selectFrom('vertex_targets').select('service_account_key').where('environment_id', '=', environmentId).executeTakeFirst();
    if (input.service_account_key === undefined && !existing) throw VertexTargetErrors.KEY_REQUIRED();
    const key = input.service_account_key === undefined ? existing!.service_account_key : this.deps.secrets.seal(input.service_account_key, VERTEX_SERVICE_ACCOUNT_KEY.context(environmentId));
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
