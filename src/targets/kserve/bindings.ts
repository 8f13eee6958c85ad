import { X509Certificate } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OutboundPolicy } from '../../outbound/outbound-policy.ts';
import { serviceUrlRefusal } from '../service-url.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { now } from '../../shared/clock.ts';
import type { Schema } from '../../db/schema.ts';
import { KUBERNETES_CA_PEM, KUBERNETES_TOKEN } from '../tables.ts';
import { KServeErrors } from './errors.ts';

/** What binds an environment to a namespace, as a maintainer gives it. */
export interface KubernetesBindingInput {
  api_url: string;
  namespace: string;
  /** Omitted: the system's CAs; null: forget the one stored. */
  ca_pem?: string | null;
  /** Omitted: keep the stored one (required the first time). */
  token?: string;
  service_account?: string | null;
}

/** What is shown of a binding: never the token, and of the CA only whether one is set. */
export interface KubernetesBindingView {
  api_url: string;
  namespace: string;
  ca_pem_set: boolean;
  token_set: true;
  service_account: string | null;
  last_error: string | null;
}

/**
 * The Kubernetes connections of KServe environments (the targets domain's table): the API URL,
 * which the outbound policy must allow, the namespace, and the CA and bearer token, sealed in
 * their row.
 */
export class KubernetesBindings {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { secrets: SecretBox; outbound: OutboundPolicy },
  ) {}

  async view(environmentId: number): Promise<KubernetesBindingView | null> {
    const row = await this.db.selectFrom('kubernetes_targets').selectAll().where('environment_id', '=', environmentId).executeTakeFirst();
    if (!row) return null;
    return { api_url: row.api_url, namespace: row.namespace, ca_pem_set: row.ca_pem !== null, token_set: true, service_account: row.service_account, last_error: row.last_error };
  }

  /** Checks what can be checked before anything is written: the URL (and the outbound policy), the CA, the token. */
  async check(input: KubernetesBindingInput): Promise<void> {
    const refusal = await serviceUrlRefusal(input.api_url, this.deps.outbound, 'token');
    if (refusal !== null) throw KServeErrors.INVALID_API_URL({ reason: refusal });
    if (input.ca_pem !== undefined && input.ca_pem !== null) {
      try {
        new X509Certificate(input.ca_pem);
      } catch {
        throw KServeErrors.INVALID_CA();
      }
    }
  }

  /** Inside the caller's transaction (the environment's own change goes with it). */
  async write(trx: Kysely<Schema>, environmentId: number, input: KubernetesBindingInput): Promise<void> {
    const existing = await trx.selectFrom('kubernetes_targets').select(['token', 'ca_pem']).where('environment_id', '=', environmentId).executeTakeFirst();
    if (input.token === undefined && !existing) throw KServeErrors.TOKEN_REQUIRED();
    const { secrets } = this.deps;
    const token = input.token === undefined ? existing!.token : secrets.seal(input.token, KUBERNETES_TOKEN.context(environmentId));
    const caPem = input.ca_pem === undefined ? (existing?.ca_pem ?? null) : input.ca_pem === null ? null : secrets.seal(input.ca_pem, KUBERNETES_CA_PEM.context(environmentId));
    const values = { api_url: input.api_url, namespace: input.namespace, token, ca_pem: caPem, service_account: input.service_account ?? null, last_error: null, updated_at: now() };
    await trx
      .insertInto('kubernetes_targets')
      .values({ environment_id: environmentId, ...values, created_at: now() })
      .onConflict((oc) => oc.column('environment_id').doUpdateSet(values))
      .execute();
  }

  async remove(trx: Kysely<Schema>, environmentId: number): Promise<boolean> {
    const result = await trx.deleteFrom('kubernetes_targets').where('environment_id', '=', environmentId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
