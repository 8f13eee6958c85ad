import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import type { DeploymentSettings } from './contract.ts';

/** A project's deployment rules: whether only registry-approved versions reach production-tier environments. */
export class DeploymentSettingsService {
  constructor(private readonly db: Kysely<Schema>) {}

  async get(projectId: number, db: Kysely<Schema> = this.db): Promise<DeploymentSettings> {
    const row = await db.selectFrom('deployment_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    return { require_approved_versions_in_production: row?.require_approved_versions === 1 };
  }

  async update(access: ProjectAccess, input: DeploymentSettings): Promise<DeploymentSettings> {
    const value = input.require_approved_versions_in_production ? 1 : 0;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('deployment_settings')
        .values({ project_id: access.project.id, require_approved_versions: value, updated_at: now() })
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ require_approved_versions: value, updated_at: now() }))
        .execute();
      await recordChange(
        trx,
        access.caller,
        { type: 'deployments.settings.updated', projectId: access.project.id, payload: { ...input } },
        { action: 'deployments.settings.updated', targetType: 'project', targetId: access.project.id, details: { ...input } },
      );
    });
    return this.get(access.project.id);
  }
}
