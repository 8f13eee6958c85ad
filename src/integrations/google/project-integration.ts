import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../../auth/policy.ts';
import type { Schema } from '../../db/schema.ts';
import { recordAudit } from '../../events/audit-log.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { now } from '../../shared/clock.ts';
import { GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY } from './integration-tables.ts';
import { parseServiceAccountKey } from './service-account-key.ts';

/** What is shown of a project's Google Cloud integration: the account and its project, never the key. */
export interface GoogleCloudIntegrationView {
  active: boolean;
  service_account: string | null;
  google_project: string | null;
  updated_at: string | null;
}

/**
 * A project's Google Cloud integration: one service-account key, sealed in its row, that the
 * project's Vertex AI imports and Vertex AI environments use when they are given no key of
 * their own, so a team sets (and rotates) it once. Read at each use: a rotated key serves the
 * next call.
 */
export class GoogleCloudIntegrations {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly secrets: SecretBox,
  ) {}

  async view(projectId: number): Promise<GoogleCloudIntegrationView> {
    const row = await this.db.selectFrom('google_cloud_integrations').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    if (!row) return { active: false, service_account: null, google_project: null, updated_at: null };
    const key = parseServiceAccountKey(this.secrets.open(row.service_account_key, GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY.context(projectId)));
    return { active: true, service_account: key.clientEmail, google_project: key.projectId, updated_at: new Date(row.updated_at).toISOString() };
  }

  /** The key's JSON, or null when the project has none. */
  async keyText(projectId: number): Promise<string | null> {
    const row = await this.db.selectFrom('google_cloud_integrations').select('service_account_key').where('project_id', '=', projectId).executeTakeFirst();
    return row ? this.secrets.open(row.service_account_key, GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY.context(projectId)) : null;
  }

  /** Sets or replaces the key (checked first: a refusal names the field, never echoes the key). */
  async set(access: ProjectAccess, keyText: string): Promise<GoogleCloudIntegrationView> {
    const key = parseServiceAccountKey(keyText);
    const projectId = access.project.id;
    const sealed = this.secrets.seal(keyText, GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY.context(projectId));
    await this.db.transaction().execute(async (trx) => {
      const values = { service_account_key: sealed, client_email: key.clientEmail, updated_at: now() };
      await trx
        .insertInto('google_cloud_integrations')
        .values({ project_id: projectId, ...values, created_at: now() })
        .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
        .execute();
      await recordAudit(trx, access.caller, {
        action: 'integration.google_cloud.set',
        projectId,
        targetType: 'project',
        targetId: projectId,
        details: { service_account: key.clientEmail, google_project: key.projectId },
      });
    });
    return this.view(projectId);
  }

  async remove(access: ProjectAccess): Promise<GoogleCloudIntegrationView> {
    const projectId = access.project.id;
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('google_cloud_integrations').where('project_id', '=', projectId).executeTakeFirst();
      if (Number(removed.numDeletedRows) > 0) await recordAudit(trx, access.caller, { action: 'integration.google_cloud.removed', projectId, targetType: 'project', targetId: projectId });
    });
    return this.view(projectId);
  }
}
