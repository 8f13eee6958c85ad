import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { invalid } from '../shared/errors.ts';
import { TrackingErrors } from '../tracking/errors.ts';
import { stringCondition } from '../tracking/search/compile.ts';
import type { RawComparison } from '../tracking/search/filter-parser.ts';
import { validateKey } from '../tracking/limits.ts';
import { RegistryErrors } from './errors.ts';
import { labelScope, validLabel } from './names.ts';
import { REGISTRY_TAG_VALUE_MAX } from './registry-model.ts';

/** Tags and labels of models and of versions: the same rules on two pairs of tables. */
type Owner = { kind: 'model'; id: number } | { kind: 'version'; id: number };

export function validTag(key: unknown, value: unknown): { key: string; value: string } {
  const validKey = validateKey(key, 'key', 'Tag');
  if (typeof value !== 'string') throw invalid("Missing value for required parameter 'value'.");
  if (value.length > REGISTRY_TAG_VALUE_MAX) throw invalid(`'value' exceeds the maximum length of ${REGISTRY_TAG_VALUE_MAX} characters`);
  return { key: validKey, value };
}

export async function setTag(db: Kysely<Schema>, owner: Owner, tag: { key: string; value: string }): Promise<void> {
  if (owner.kind === 'model') {
    await db
      .insertInto('model_tags')
      .values({ model_id: owner.id, ...tag })
      .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  } else {
    await db
      .insertInto('version_tags')
      .values({ version_id: owner.id, ...tag })
      .onConflict((oc) => oc.columns(['version_id', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
  }
}

export async function deleteTag(db: Kysely<Schema>, owner: Owner, key: string): Promise<void> {
  const result =
    owner.kind === 'model'
      ? await db.deleteFrom('model_tags').where('model_id', '=', owner.id).where('key', '=', key).executeTakeFirst()
      : await db.deleteFrom('version_tags').where('version_id', '=', owner.id).where('key', '=', key).executeTakeFirst();
  // TAG_NOT_FOUND is declared once, by tracking, with the registry's wording (the key alone)
  // among its own; a second declaration here would refuse to load.
  if (Number(result.numDeletedRows) === 0) throw TrackingErrors.TAG_NOT_FOUND({ key });
}

/** Adds a label; a scoped label (`stage::production`) replaces any other label of its scope. */
export async function addLabel(db: Kysely<Schema>, owner: Owner, rawLabel: string): Promise<string[]> {
  const label = validLabel(rawLabel);
  const scope = labelScope(label);
  const current = await labelsOf(db, owner);
  const replaced = scope === null ? [] : current.filter((l) => l !== label && labelScope(l) === scope);
  for (const old of replaced) await removeLabel(db, owner, old);
  if (!current.includes(label)) {
    if (owner.kind === 'model') await db.insertInto('model_labels').values({ model_id: owner.id, label }).execute();
    else await db.insertInto('version_labels').values({ version_id: owner.id, label }).execute();
  }
  return replaced;
}

export async function removeLabel(db: Kysely<Schema>, owner: Owner, label: string): Promise<void> {
  const result =
    owner.kind === 'model'
      ? await db.deleteFrom('model_labels').where('model_id', '=', owner.id).where('label', '=', label).executeTakeFirst()
      : await db.deleteFrom('version_labels').where('version_id', '=', owner.id).where('label', '=', label).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw RegistryErrors.LABEL_NOT_FOUND({ label });
}

async function labelsOf(db: Kysely<Schema>, owner: Owner): Promise<string[]> {
  const rows =
    owner.kind === 'model'
      ? await db.selectFrom('model_labels').select('label').where('model_id', '=', owner.id).execute()
      : await db.selectFrom('version_labels').select('label').where('version_id', '=', owner.id).execute();
  return rows.map((r) => r.label);
}

/** Where each kind's tags are, and the searched row they belong to. */
const TAGS_OF = {
  model: { table: 'model_tags', owner: 'model_id', row: 'registered_models.id' },
  version: { table: 'version_tags', owner: 'version_id', row: 'model_versions.id' },
} as const;

/**
 * A search filter's `tags.<key>` comparison, on the models or the versions being searched. The
 * client adds `tag.\`mlflow.prompt.is_prompt\` != 'true'` to hide prompts: in the registry, `!=`
 * also matches rows without the tag, as MLflow's store does.
 */
export function tagCondition(kind: Owner['kind'], cmp: RawComparison): Expression<SqlBool> {
  const { table, owner, row } = TAGS_OF[kind];
  const tagged = (comparison: RawComparison) =>
    sql`select 1 from ${sql.table(table)} t where ${sql.ref(`t.${owner}`)} = ${sql.ref(row)} and t.key = ${cmp.key} and ${stringCondition(sql.ref('t.value'), comparison, `tag '${cmp.key}'`)}`;
  if (cmp.comparator === '!=') return sql<SqlBool>`not exists (${tagged({ ...cmp, comparator: '=' })})`;
  return sql<SqlBool>`exists (${tagged(cmp)})`;
}
