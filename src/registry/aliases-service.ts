import type { Kysely } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { RegistryErrors } from './errors.ts';
import { registryEvent } from './events.ts';
import type { ModelKey, RegisteredModelsService } from './models-service.ts';
import { validAlias } from './names.ts';
import { asSemver } from './semver.ts';
import type { ModelVersion, RegisteredModel } from './registry-model.ts';
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
      throw RegistryErrors.ALIAS_PROTECTED({ alias });
    }
  }

  /** Points an alias at a version; answers the model as it now is. */
  async set(access: ProjectAccess, key: ModelKey, rawAlias: unknown, version: number | string): Promise<RegisteredModel> {
    const alias = validAlias(rawAlias);
    const modelId = await inTransaction(this.db, async (trx) => {
      await this.assertMayMove(access, alias, trx);
      const { model, row } = await this.versions.getRow(access, key, version, trx);
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
        registryEvent('registry.alias.moved', access.project.id, {
          model_name: model.name,
          alias,
          version: row.version,
          version_id: row.id,
          semver: row.semver,
          previous_version: previous?.version ?? null,
          model_uri: `models:/${model.name}@${alias}`,
        }),
        { action: 'registry.alias.moved', targetType: 'model', targetId: model.id, details: { alias, version: row.version, previous_version: previous?.version ?? null } },
      );
      return model.id;
    });
    return this.models.get(access, { id: modelId });
  }

  async delete(access: ProjectAccess, key: ModelKey, rawAlias: unknown): Promise<void> {
    const alias = validAlias(rawAlias);
    await inTransaction(this.db, async (trx) => {
      await this.assertMayMove(access, alias, trx);
      const model = await this.models.getRow(access, key, trx);
      const deleted = await trx.deleteFrom('model_aliases').where('model_id', '=', model.id).where('alias', '=', alias).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw RegistryErrors.ALIAS_NOT_FOUND({ alias });
      await recordChange(trx, access.caller, registryEvent('registry.alias.deleted', access.project.id, { model_name: model.name, alias }), {
        action: 'registry.alias.deleted',
        targetType: 'model',
        targetId: model.id,
        details: { alias },
      });
    });
  }

  /**
   * The version an alias points at, or the version with that semantic version
   * (`models:/name@1.0.0`, given or counted on): aliases hold no dots, so the two never clash.
   */
  async resolve(access: ProjectAccess, key: ModelKey, rawAlias: unknown): Promise<ModelVersion> {
    const semver = typeof rawAlias === 'string' ? asSemver(rawAlias) : null;
    const alias = semver ?? validAlias(rawAlias);
    const model = await this.models.getRow(access, key);
    const target =
      semver !== null
        ? await this.db.selectFrom('model_versions').selectAll().where('model_id', '=', model.id).where('semver', '=', semver).executeTakeFirst()
        : await this.db
            .selectFrom('model_aliases')
            .innerJoin('model_versions', 'model_versions.id', 'model_aliases.version_id')
            .selectAll('model_versions')
            .where('model_aliases.model_id', '=', model.id)
            .where('model_aliases.alias', '=', alias)
            .executeTakeFirst();
    if (!target) throw RegistryErrors.ALIAS_NOT_FOUND({ alias });
    return (await this.versions.hydrate(model, [target]))[0]!;
  }
}
