import { sql, type Kysely } from 'kysely';
import { rowsOfIds } from '../db/rows-of-ids.ts';
import type { Schema } from '../db/schema.ts';
import { groupedBy, groupOf } from '../shared/grouped-by.ts';
import type { ModelRow, ModelVersion, RegisteredModel, VersionRow } from './registry-model.ts';

/** Loads tags, aliases and labels of many versions with one query per kind. */
export async function hydrateVersions(db: Kysely<Schema>, rows: VersionRow[], modelNames: Map<number, string>): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [tags, aliases, labels] = await Promise.all([
    rowsOfIds(db, 'version_id', ids, (matches) => db.selectFrom('version_tags').selectAll().where(matches).orderBy('key')),
    rowsOfIds(db, 'version_id', ids, (matches) => db.selectFrom('model_aliases').select(['version_id', 'alias']).where(matches).orderBy('alias')),
    rowsOfIds(db, 'version_id', ids, (matches) => db.selectFrom('version_labels').selectAll().where(matches).orderBy('label')),
  ]);
  const tagsOf = groupedBy(tags, (t) => t.version_id);
  const aliasesOf = groupedBy(aliases, (a) => a.version_id);
  const labelsOf = groupedBy(labels, (l) => l.version_id);
  return rows.map((row) => ({
    row,
    modelName: modelNames.get(row.model_id) ?? '',
    tags: groupOf(tagsOf, row.id).map((t) => ({ key: t.key, value: t.value })),
    aliases: groupOf(aliasesOf, row.id).map((a) => a.alias),
    labels: groupOf(labelsOf, row.id).map((l) => l.label),
  }));
}

/** Loads models with their tags, aliases, labels and MLflow's "latest version per stage". */
export async function hydrateModels(db: Kysely<Schema>, rows: ModelRow[]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [tags, aliases, labels, latest] = await Promise.all([
    rowsOfIds(db, 'model_id', ids, (matches) => db.selectFrom('model_tags').selectAll().where(matches).orderBy('key')),
    rowsOfIds(db, 'model_aliases.model_id', ids, (matches) =>
      db
        .selectFrom('model_aliases')
        .innerJoin('model_versions', 'model_versions.id', 'model_aliases.version_id')
        .select(['model_aliases.model_id', 'model_aliases.alias', 'model_versions.version'])
        .where(matches)
        .orderBy('model_aliases.alias'),
    ),
    rowsOfIds(db, 'model_id', ids, (matches) => db.selectFrom('model_labels').selectAll().where(matches).orderBy('label')),
    // The highest version in each stage of each model, ranked in one pass over the model's
    // versions. Asked per row instead ("is it its stage's max?"), each version scanned down from
    // the newest to its stage's: 650 ms for a model of 5,000 versions with 4,000 archived.
    rowsOfIds(db, 'v.model_id', ids, (matches) =>
      db
        .selectFrom((eb) =>
          eb
            .selectFrom('model_versions as v')
            .selectAll('v')
            .select(sql<number>`row_number() over (partition by v.model_id, v.current_stage order by v.version desc)`.as('stage_rank'))
            .where(matches)
            .as('ranked'),
        )
        .selectAll('ranked')
        .where('ranked.stage_rank', '=', 1),
    ),
  ]);
  const names = new Map(rows.map((r) => [r.id, r.name]));
  const latestRows = latest.map(({ stage_rank: _rank, ...row }) => row);
  const latestOf = groupedBy(await hydrateVersions(db, latestRows, names), (v) => v.row.model_id);
  const tagsOf = groupedBy(tags, (t) => t.model_id);
  const aliasesOf = groupedBy(aliases, (a) => a.model_id);
  const labelsOf = groupedBy(labels, (l) => l.model_id);
  return rows.map((row) => ({
    row,
    tags: groupOf(tagsOf, row.id).map((t) => ({ key: t.key, value: t.value })),
    aliases: groupOf(aliasesOf, row.id).map((a) => ({ alias: a.alias, version: a.version })),
    labels: groupOf(labelsOf, row.id).map((l) => l.label),
    latestVersions: groupOf(latestOf, row.id).sort((a, b) => a.row.version - b.row.version),
  }));
}
