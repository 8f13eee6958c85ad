import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { containsText } from '../db/like.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { forbidden, invalid } from '../shared/errors.ts';
import { decodePageToken, encodePageToken } from '../shared/page-token.ts';
import { compileFilter, stringCondition } from '../tracking/search/compile.ts';
import { parseFilter, parseOrderBy, type RawComparison } from '../tracking/search/filter-parser.ts';
import { RegistryErrors } from './errors.ts';
import { registryEvent } from './events.ts';
import { validDescription, validateCard, type ModelCard } from './model-card.ts';
import { validModelName } from './names.ts';
import type { ModelRow, RegisteredModel } from './registry-model.ts';
import { hydrateModels } from './registry-reader.ts';
import { addLabel, deleteTag, removeLabel, setTag, tagCondition, validTag } from './tagging.ts';

const ORDERABLE: Record<string, 'name' | 'created_at' | 'updated_at'> = {
  name: 'name',
  timestamp: 'created_at',
  creation_timestamp: 'created_at',
  last_updated_timestamp: 'updated_at',
};

/** A model as the MLflow protocol names it (its name) or as the native API does (its id). */
export type ModelKey = string | { id: number };

/** What the native API may change of a model in one request. */
export interface ModelEdit {
  name?: unknown;
  description?: string;
  card?: Record<string, unknown>;
}

/** Registered models of a project: create, rename, describe, tag, label, search, delete. */
export class RegisteredModelsService {
  constructor(private readonly db: Kysely<Schema>) {}

  async getRow(access: ProjectAccess, model: ModelKey, db: Kysely<Schema> = this.db): Promise<ModelRow> {
    if (typeof model !== 'string') return this.getRowById(access, model.id, db);
    const row = await db.selectFrom('registered_models').selectAll().where('project_id', '=', access.project.id).where('name', '=', model).executeTakeFirst();
    if (!row) throw RegistryErrors.MODEL_NOT_FOUND({ name: model });
    return row;
  }

  async getRowById(access: ProjectAccess, id: number, db: Kysely<Schema> = this.db): Promise<ModelRow> {
    const row = await db.selectFrom('registered_models').selectAll().where('project_id', '=', access.project.id).where('id', '=', id).executeTakeFirst();
    if (!row) throw RegistryErrors.MODEL_NOT_FOUND({ id });
    return row;
  }

  /** Every model's id and name in the project, for protocols that address models by a name of their own. */
  async listNames(access: ProjectAccess): Promise<{ id: number; name: string }[]> {
    return this.db.selectFrom('registered_models').select(['id', 'name']).where('project_id', '=', access.project.id).orderBy('id').execute();
  }

  async get(access: ProjectAccess, model: ModelKey): Promise<RegisteredModel> {
    return this.hydrateOne(await this.getRow(access, model));
  }

  async hydrate(rows: ModelRow[]): Promise<RegisteredModel[]> {
    return hydrateModels(this.db, rows);
  }

  private async hydrateOne(row: ModelRow): Promise<RegisteredModel> {
    return (await hydrateModels(this.db, [row]))[0]!;
  }

  async create(access: ProjectAccess, input: { name: unknown; description?: string; card?: Record<string, unknown>; tags?: { key: string; value: string }[] }): Promise<RegisteredModel> {
    const name = validModelName(input.name);
    const description = validDescription(input.description ?? '');
    const card = validateCard(input.card ?? {});
    const tags = (input.tags ?? []).map((t) => validTag(t.key, t.value));
    const row = await inTransaction(this.db, async (trx) => {
      await this.assertNameFree(trx, access, name);
      const at = now();
      const created = await trx
        .insertInto('registered_models')
        .values({
          project_id: access.project.id,
          name,
          description,
          card: JSON.stringify(card),
          creator_id: access.caller.user?.id ?? null,
          updater_id: access.caller.user?.id ?? null,
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const tag of tags) await setTag(trx, { kind: 'model', id: created.id }, tag);
      await recordChange(trx, access.caller, registryEvent('registry.model.created', access.project.id, { model_id: created.id, name }), {
        action: 'registry.model.created',
        targetType: 'model',
        targetId: created.id,
        details: { name },
      });
      return created;
    });
    return this.hydrateOne(row);
  }

  private async assertNameFree(db: Kysely<Schema>, access: ProjectAccess, name: string): Promise<void> {
    const clash = await db.selectFrom('registered_models').select('id').where('project_id', '=', access.project.id).where('name', '=', name).executeTakeFirst();
    if (clash) throw RegistryErrors.MODEL_EXISTS({ name });
  }

  private async touch(db: Kysely<Schema>, access: ProjectAccess, modelId: number): Promise<void> {
    await db
      .updateTable('registered_models')
      .set({ updated_at: now(), updater_id: access.caller.user?.id ?? null })
      .where('id', '=', modelId)
      .execute();
  }

  /** MLflow's RenameRegisteredModel. */
  async rename(access: ProjectAccess, model: ModelKey, newName: unknown): Promise<RegisteredModel> {
    const target = validModelName(newName);
    const row = await inTransaction(this.db, async (trx) => this.renameIn(trx, access, await this.getRow(access, model, trx), target));
    return this.hydrateOne(row);
  }

  /** MLflow's UpdateRegisteredModel (its description). */
  async update(access: ProjectAccess, model: ModelKey, input: { description?: string; card?: Record<string, unknown> }): Promise<RegisteredModel> {
    const description = input.description === undefined ? undefined : validDescription(input.description);
    const card = input.card === undefined ? undefined : validateCard(input.card);
    const row = await inTransaction(this.db, async (trx) => this.describeIn(trx, access, await this.getRow(access, model, trx), { description, card }));
    return this.hydrateOne(row);
  }

  /**
   * The native API's edit: a new name, description and card fields at once. Everything is
   * checked before anything is written, and all of it is one transaction: a refused card never
   * leaves the model renamed.
   */
  async edit(access: ProjectAccess, model: ModelKey, input: ModelEdit): Promise<RegisteredModel> {
    const description = input.description === undefined ? undefined : validDescription(input.description);
    const card = input.card === undefined ? undefined : validateCard(input.card);
    const row = await inTransaction(this.db, async (trx) => {
      let current = await this.getRow(access, model, trx);
      if (input.name !== undefined && input.name !== current.name) current = await this.renameIn(trx, access, current, validModelName(input.name));
      if (description !== undefined || card !== undefined) current = await this.describeIn(trx, access, current, { description, card });
      return current;
    });
    return this.hydrateOne(row);
  }

  private async renameIn(trx: Kysely<Schema>, access: ProjectAccess, current: ModelRow, target: string): Promise<ModelRow> {
    if (target !== current.name) await this.assertNameFree(trx, access, target);
    const updated = await trx.updateTable('registered_models').set({ name: target, updated_at: now() }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, access.caller, registryEvent('registry.model.renamed', access.project.id, { model_id: current.id, from: current.name, to: target }), {
      action: 'registry.model.renamed',
      targetType: 'model',
      targetId: current.id,
      details: { from: current.name, to: target },
    });
    return updated;
  }

  /** Sets the description and merges card fields into the card; both already validated. */
  private async describeIn(trx: Kysely<Schema>, access: ProjectAccess, current: ModelRow, input: { description?: string; card?: ModelCard }): Promise<ModelRow> {
    const merged = input.card === undefined ? current.card : JSON.stringify({ ...(JSON.parse(current.card) as ModelCard), ...input.card });
    const updated = await trx
      .updateTable('registered_models')
      .set({ description: input.description ?? current.description, card: merged, updated_at: now(), updater_id: access.caller.user?.id ?? null })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const fields = Object.entries(input)
      .filter(([, value]) => value !== undefined)
      .map(([field]) => field);
    await recordChange(trx, access.caller, registryEvent('registry.model.updated', access.project.id, { model_id: current.id, name: current.name, fields }));
    return updated;
  }

  /**
   * Deleting a model takes its versions with it, so a model with an approved version is kept
   * unless a maintainer forces it.
   */
  async delete(access: ProjectAccess, model: ModelKey, options: { force?: boolean } = {}): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, model, trx);
      const approved = await trx.selectFrom('model_versions').select('version').where('model_id', '=', current.id).where('approval_status', '=', 'approved').execute();
      if (approved.length > 0) {
        if (!options.force) throw RegistryErrors.MODEL_PROTECTED({ name: current.name, versions: approved.map((v) => v.version) });
        if (!can(access, 'registry:maintain')) throw forbidden('403 Forbidden: only maintainers can force the deletion of a model with approved versions');
      }
      await trx.deleteFrom('registered_models').where('id', '=', current.id).execute();
      await recordChange(trx, access.caller, registryEvent('registry.model.deleted', access.project.id, { model_id: current.id, name: current.name }), {
        action: 'registry.model.deleted',
        targetType: 'model',
        targetId: current.id,
        details: { name: current.name, forced: options.force === true },
      });
    });
  }

  async setTag(access: ProjectAccess, model: ModelKey, key: unknown, value: unknown): Promise<void> {
    const tag = validTag(key, value);
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, model, trx);
      await setTag(trx, { kind: 'model', id: current.id }, tag);
      await this.touch(trx, access, current.id);
      await recordChange(trx, access.caller, registryEvent('registry.model.tag_set', access.project.id, { model_id: current.id, name: current.name, key: tag.key }));
    });
  }

  async deleteTag(access: ProjectAccess, model: ModelKey, key: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, model, trx);
      await deleteTag(trx, { kind: 'model', id: current.id }, key);
      await this.touch(trx, access, current.id);
      await recordChange(trx, access.caller, registryEvent('registry.model.tag_deleted', access.project.id, { model_id: current.id, name: current.name, key }));
    });
  }

  /** Adds a label (a scoped one replaces its scope's); answers the model as it now is. */
  async addLabel(access: ProjectAccess, model: ModelKey, label: string): Promise<RegisteredModel> {
    const row = await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, model, trx);
      const replaced = await addLabel(trx, { kind: 'model', id: current.id }, label);
      await this.touch(trx, access, current.id);
      await recordChange(trx, access.caller, registryEvent('registry.label.changed', access.project.id, { model_id: current.id, name: current.name, added: label, removed: replaced }), {
        action: 'registry.label.added',
        targetType: 'model',
        targetId: current.id,
        details: { label, replaced },
      });
      return current;
    });
    return this.get(access, { id: row.id });
  }

  async removeLabel(access: ProjectAccess, model: ModelKey, label: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, model, trx);
      await removeLabel(trx, { kind: 'model', id: current.id }, label);
      await recordChange(trx, access.caller, registryEvent('registry.label.changed', access.project.id, { model_id: current.id, name: current.name, added: null, removed: [label] }), {
        action: 'registry.label.removed',
        targetType: 'model',
        targetId: current.id,
        details: { label },
      });
    });
  }

  /** The native API's list: GitLab pagination, a name search, newest activity first. */
  async list(access: ProjectAccess, options: { search?: string; offset: number; limit: number }) {
    let base = this.db.selectFrom('registered_models').where('project_id', '=', access.project.id);
    const search = options.search;
    if (search) base = base.where((eb) => containsText(eb.ref('name'), search));
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('updated_at', 'desc').orderBy('id', 'desc').offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: await hydrateModels(this.db, rows) };
  }

  /** MLflow's registered-model search: `name` and `tags.<key>` filters, order by name or timestamps. */
  async search(access: ProjectAccess, search: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string }) {
    const maxResults = search.maxResults ?? 100;
    if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > 1000) throw invalid(`Invalid value for max_results: it must be between 1 and 1000, got ${maxResults}`);
    const filter = parseFilter(search.filter);
    const fingerprint = JSON.stringify(['models', search.filter ?? '', search.orderBy ?? []]);
    const offset = decodePageToken(search.pageToken, fingerprint);
    let query = this.db.selectFrom('registered_models').selectAll().where('project_id', '=', access.project.id);
    if (filter) query = query.where((eb) => compileFilter(eb, filter, modelCondition));
    let byName = false;
    for (const clause of search.orderBy ?? []) {
      const parsed = parseOrderBy(clause);
      const column = parsed.prefix === null ? ORDERABLE[parsed.key] : undefined;
      if (!column) throw invalid(`Invalid order by key '${clause}' specified. Valid keys are ${Object.keys(ORDERABLE).join(', ')}`);
      query = query.orderBy(column, parsed.ascending ? 'asc' : 'desc');
      byName ||= column === 'name';
    }
    if (!byName) query = query.orderBy('name', 'asc');
    const rows = await query
      .offset(offset)
      .limit(maxResults + 1)
      .execute();
    return { models: await hydrateModels(this.db, rows.slice(0, maxResults)), nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults, fingerprint) : undefined };
  }
}

function modelCondition(cmp: RawComparison): Expression<SqlBool> {
  if (cmp.prefix === null && cmp.key === 'name') return stringCondition(sql.ref('registered_models.name'), cmp, 'name');
  if (cmp.prefix === 'tags' || cmp.prefix === 'tag') return tagCondition('model', cmp);
  if (cmp.prefix === 'labels' || (cmp.prefix === null && cmp.key === 'label')) {
    const condition = stringCondition(sql.ref('ml.label'), cmp, 'label');
    return sql<SqlBool>`exists (select 1 from model_labels ml where ml.model_id = registered_models.id and ${condition})`;
  }
  throw invalid(`Invalid attribute key '${cmp.prefix ? `${cmp.prefix}.` : ''}${cmp.key}' specified. Valid keys are 'name', 'tags.<key>' and 'label'`);
}
