import type { Kysely } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { AppError, forbidden } from '../shared/errors.ts';
import type { RegisteredModelsService } from './models-service.ts';
import { validAlias } from './names.ts';
import type { ModelVersion } from './registry-model.ts';
import type { RegistrySettingsService } from './settings-service.ts';
import type { ModelVersionsService } from './versions-service.ts';

/** Aliases are mutable pointers (`champion`), as MLflow's; protected ones move only for maintainers. */
export class AliasesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly models: RegisteredModelsService,
    private readonly versions: ModelVersionsService,
    private readonly settings: RegistrySettingsService,
  ) {}

  private async assertMayMove(access: ProjectAccess, alias: string, db: Kysely<Schema>): Promise<void> {
    const settings = await this.settings.get(access.project.id, db);
    if (settings.protected_aliases.includes(alias) && !can(access, 'registry:maintain')) {
      throw forbidden(`403 Forbidden: the alias "${alias}" is protected; only maintainers can move it`, 'ALIAS_PROTECTED');
    }
  }

  async set(access: ProjectAccess, name: string, rawAlias: unknown, version: number | string): Promise<void> {
    const alias = validAlias(rawAlias);
    await inTransaction(this.db, async (trx) => {
      await this.assertMayMove(access, alias, trx);
      const { model, row } = await this.versions.getRow(access, name, version, trx);
      const previous = await trx
        .selectFrom('model_aliases')
        .innerJoin('model_versions', 'model_versions.id', 'model_aliases.version_id')
        .select('model_versions.version')
        .where('model_aliases.model_id', '=', model.id)
        .where('model_aliases.alias', '=', alias)
        .executeTakeFirst();
      await trx
        .insertInto('model_aliases')
        .values({ model_id: model.id, alias, version_id: row.id, updated_at: now() })
        .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet({ version_id: row.id, updated_at: now() }))
        .execute();
      await trx.updateTable('registered_models').set({ updated_at: now() }).where('id', '=', model.id).execute();
      await recordChange(
        trx,
        access.caller,
        {
          type: 'registry.alias.moved',
          projectId: access.project.id,
          payload: { model_name: model.name, alias, version: row.version, version_id: row.id, semver: row.semver, previous_version: previous?.version ?? null, model_uri: `models:/${model.name}@${alias}` },
        },
        { action: 'registry.alias.moved', targetType: 'model', targetId: model.id, details: { alias, version: row.version, previous_version: previous?.version ?? null } },
      );
    });
  }

  async delete(access: ProjectAccess, name: string, rawAlias: unknown): Promise<void> {
    const alias = validAlias(rawAlias);
    await inTransaction(this.db, async (trx) => {
      await this.assertMayMove(access, alias, trx);
      const model = await this.models.getRow(access, name, trx);
      const deleted = await trx.deleteFrom('model_aliases').where('model_id', '=', model.id).where('alias', '=', alias).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw new AppError('not_found', 'ALIAS_NOT_FOUND', `Registered model alias ${alias} not found.`);
      await recordChange(trx, access.caller, { type: 'registry.alias.deleted', projectId: access.project.id, payload: { model_name: model.name, alias } }, { action: 'registry.alias.deleted', targetType: 'model', targetId: model.id, details: { alias } });
    });
  }

  async resolve(access: ProjectAccess, name: string, rawAlias: unknown): Promise<ModelVersion> {
    const alias = validAlias(rawAlias);
    const model = await this.models.getRow(access, name);
    const target = await this.db
      .selectFrom('model_aliases')
      .innerJoin('model_versions', 'model_versions.id', 'model_aliases.version_id')
      .selectAll('model_versions')
      .where('model_aliases.model_id', '=', model.id)
      .where('model_aliases.alias', '=', alias)
      .executeTakeFirst();
    if (!target) throw new AppError('not_found', 'ALIAS_NOT_FOUND', `Registered model alias ${alias} not found.`);
    return (await this.versions.hydrate(model, [target]))[0]!;
  }
}
