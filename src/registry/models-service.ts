import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { containsText } from '../db/like.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { AppError, alreadyExists, conflict, forbidden, invalid } from '../shared/errors.ts';
import { decodePageToken, encodePageToken } from '../shared/page-token.ts';
import { compileFilter, stringCondition } from '../tracking/search/compile.ts';
import { parseFilter, parseOrderBy, type RawComparison } from '../tracking/search/filter-parser.ts';
import { MAX_DESCRIPTION, validateCard, type ModelCard } from './model-card.ts';
import { validModelName } from './names.ts';
import type { ModelRow, RegisteredModel } from './registry-model.ts';
import { hydrateModels } from './registry-reader.ts';
import { addLabel, deleteTag, removeLabel, setTag, validTag } from './tagging.ts';

const ORDERABLE: Record<string, 'name' | 'created_at' | 'updated_at'> = {
  name: 'name',
  timestamp: 'created_at',
  creation_timestamp: 'created_at',
  last_updated_timestamp: 'updated_at',
};

export function modelNotFound(name: string): AppError {
  return new AppError('not_found', 'MODEL_NOT_FOUND', `Registered Model with name=${name} not found`);
}

/** Registered models of a project: create, rename, describe, tag, label, search, delete. */
export class RegisteredModelsService {
  constructor(private readonly db: Kysely<Schema>) {}

  async getRow(access: ProjectAccess, name: string, db: Kysely<Schema> = this.db): Promise<ModelRow> {
    const row = await db.selectFrom('registered_models').selectAll().where('project_id', '=', access.project.id).where('name', '=', name).executeTakeFirst();
    if (!row) throw modelNotFound(name);
    return row;
  }

  async getRowById(access: ProjectAccess, id: number): Promise<ModelRow> {
    const row = await this.db.selectFrom('registered_models').selectAll().where('project_id', '=', access.project.id).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'MODEL_NOT_FOUND', `Registered model ${id} not found`);
    return row;
  }

  async get(access: ProjectAccess, name: string): Promise<RegisteredModel> {
    return (await hydrateModels(this.db, [await this.getRow(access, name)]))[0]!;
  }

  async hydrate(rows: ModelRow[]): Promise<RegisteredModel[]> {
    return hydrateModels(this.db, rows);
  }

  async create(access: ProjectAccess, input: { name: unknown; description?: string; card?: Record<string, unknown>; tags?: { key: string; value: string }[] }): Promise<RegisteredModel> {
    const name = validModelName(input.name);
    const description = input.description ?? '';
    if (description.length > MAX_DESCRIPTION) throw invalid(`description is too long (maximum is ${MAX_DESCRIPTION} characters)`);
    const card = validateCard(input.card ?? {});
    const tags = (input.tags ?? []).map((t) => validTag(t.key, t.value));
    const row = await inTransaction(this.db, async (trx) => {
      const clash = await trx.selectFrom('registered_models').select('id').where('project_id', '=', access.project.id).where('name', '=', name).executeTakeFirst();
      if (clash) throw alreadyExists(`Registered Model (name=${name}) already exists.`, 'MODEL_EXISTS');
      const at = now();
      const created = await trx
        .insertInto('registered_models')
        .values({ project_id: access.project.id, name, description, card: JSON.stringify(card), creator_id: access.caller.user?.id ?? null, updater_id: access.caller.user?.id ?? null, created_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const tag of tags) await setTag(trx, { kind: 'model', id: created.id }, tag);
      await recordChange(trx, access.caller, { type: 'registry.model.created', projectId: access.project.id, payload: { model_id: created.id, name } }, { action: 'registry.model.created', targetType: 'model', targetId: created.id, details: { name } });
      return created;
    });
    return (await hydrateModels(this.db, [row]))[0]!;
  }

  private async touch(db: Kysely<Schema>, access: ProjectAccess, modelId: number): Promise<void> {
    await db.updateTable('registered_models').set({ updated_at: now(), updater_id: access.caller.user?.id ?? null }).where('id', '=', modelId).execute();
  }

  async rename(access: ProjectAccess, name: string, newName: unknown): Promise<RegisteredModel> {
    const target = validModelName(newName);
    const row = await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, name, trx);
      if (target !== name) {
        const clash = await trx.selectFrom('registered_models').select('id').where('project_id', '=', access.project.id).where('name', '=', target).executeTakeFirst();
        if (clash) throw alreadyExists(`Registered Model (name=${target}) already exists.`, 'MODEL_EXISTS');
      }
      const updated = await trx.updateTable('registered_models').set({ name: target, updated_at: now() }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, access.caller, { type: 'registry.model.renamed', projectId: access.project.id, payload: { model_id: current.id, from: name, to: target } }, { action: 'registry.model.renamed', targetType: 'model', targetId: current.id, details: { from: name, to: target } });
      return updated;
    });
    return (await hydrateModels(this.db, [row]))[0]!;
  }

  async update(access: ProjectAccess, name: string, input: { description?: string; card?: Record<string, unknown> }): Promise<RegisteredModel> {
    if (input.description !== undefined && input.description.length > MAX_DESCRIPTION) throw invalid(`description is too long (maximum is ${MAX_DESCRIPTION} characters)`);
    const card: ModelCard | undefined = input.card === undefined ? undefined : validateCard(input.card);
    const row = await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, name, trx);
      const merged = card === undefined ? current.card : JSON.stringify({ ...(JSON.parse(current.card) as ModelCard), ...card });
      const updated = await trx
        .updateTable('registered_models')
        .set({ description: input.description ?? current.description, card: merged, updated_at: now(), updater_id: access.caller.user?.id ?? null })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(trx, access.caller, { type: 'registry.model.updated', projectId: access.project.id, payload: { model_id: current.id, name, fields: Object.keys(input) } });
      return updated;
    });
    return (await hydrateModels(this.db, [row]))[0]!;
  }

  /**
   * Deleting a model takes its versions with it, so a model with an approved version is kept
   * unless a maintainer forces it.
   */
  async delete(access: ProjectAccess, name: string, options: { force?: boolean } = {}): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, name, trx);
      const approved = await trx.selectFrom('model_versions').select('version').where('model_id', '=', current.id).where('approval_status', '=', 'approved').execute();
      if (approved.length > 0) {
        if (!options.force) throw conflict(`Registered Model ${name} has approved versions (${approved.map((v) => v.version).join(', ')}); delete them first, or force the deletion as a maintainer.`, 'MODEL_PROTECTED');
        if (!can(access, 'registry:maintain')) throw forbidden('403 Forbidden: only maintainers can force the deletion of a model with approved versions');
      }
      await trx.deleteFrom('registered_models').where('id', '=', current.id).execute();
      await recordChange(trx, access.caller, { type: 'registry.model.deleted', projectId: access.project.id, payload: { model_id: current.id, name } }, { action: 'registry.model.deleted', targetType: 'model', targetId: current.id, details: { name, forced: options.force === true } });
    });
  }

  async setTag(access: ProjectAccess, name: string, key: unknown, value: unknown): Promise<void> {
    const tag = validTag(key, value);
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, name, trx);
      await setTag(trx, { kind: 'model', id: current.id }, tag);
      await this.touch(trx, access, current.id);
      await recordChange(trx, access.caller, { type: 'registry.model.tag_set', projectId: access.project.id, payload: { model_id: current.id, name, key: tag.key } });
    });
  }

  async deleteTag(access: ProjectAccess, name: string, key: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, name, trx);
      await deleteTag(trx, { kind: 'model', id: current.id }, key);
      await this.touch(trx, access, current.id);
      await recordChange(trx, access.caller, { type: 'registry.model.tag_deleted', projectId: access.project.id, payload: { model_id: current.id, name, key } });
    });
  }

  async addLabel(access: ProjectAccess, name: string, label: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, name, trx);
      const replaced = await addLabel(trx, { kind: 'model', id: current.id }, label);
      await this.touch(trx, access, current.id);
      await recordChange(trx, access.caller, { type: 'registry.label.changed', projectId: access.project.id, payload: { model_id: current.id, name, added: label, removed: replaced } }, { action: 'registry.label.added', targetType: 'model', targetId: current.id, details: { label, replaced } });
    });
  }

  async removeLabel(access: ProjectAccess, name: string, label: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.getRow(access, name, trx);
      await removeLabel(trx, { kind: 'model', id: current.id }, label);
      await recordChange(trx, access.caller, { type: 'registry.label.changed', projectId: access.project.id, payload: { model_id: current.id, name, added: null, removed: [label] } }, { action: 'registry.label.removed', targetType: 'model', targetId: current.id, details: { label } });
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
    const rows = await query.offset(offset).limit(maxResults + 1).execute();
    return { models: await hydrateModels(this.db, rows.slice(0, maxResults)), nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults, fingerprint) : undefined };
  }
}

function modelCondition(cmp: RawComparison): Expression<SqlBool> {
  if (cmp.prefix === null && cmp.key === 'name') return stringCondition(sql.ref('registered_models.name'), cmp, 'name');
  if (cmp.prefix === 'tags' || cmp.prefix === 'tag') {
    // The client adds `tag.\`mlflow.prompt.is_prompt\` != 'true'` to hide prompts: in the registry,
    // `!=` also matches models without the tag, as MLflow's store does.
    if (cmp.comparator === '!=') {
      const equal = stringCondition(sql.ref('mt.value'), { ...cmp, comparator: '=' }, `tag '${cmp.key}'`);
      return sql<SqlBool>`not exists (select 1 from model_tags mt where mt.model_id = registered_models.id and mt.key = ${cmp.key} and ${equal})`;
    }
    const condition = stringCondition(sql.ref('mt.value'), cmp, `tag '${cmp.key}'`);
    return sql<SqlBool>`exists (select 1 from model_tags mt where mt.model_id = registered_models.id and mt.key = ${cmp.key} and ${condition})`;
  }
  if (cmp.prefix === 'labels' || (cmp.prefix === null && cmp.key === 'label')) {
    const condition = stringCondition(sql.ref('ml.label'), cmp, 'label');
    return sql<SqlBool>`exists (select 1 from model_labels ml where ml.model_id = registered_models.id and ${condition})`;
  }
  throw invalid(`Invalid attribute key '${cmp.prefix ? `${cmp.prefix}.` : ''}${cmp.key}' specified. Valid keys are 'name', 'tags.<key>' and 'label'`);
}
