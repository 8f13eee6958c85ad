import type { ModelVersion as VersionRecord, RegisteredModel as ModelRecord } from '../registry/registry-model.ts';
import type { ModelVersion, RegisteredModel } from './contract.ts';

/** MLflow's ModelVersion message; an explicit semantic version rides along among the aliases. */
export function presentModelVersion(version: VersionRecord): ModelVersion {
  const row = version.row;
  return {
    name: version.modelName,
    version: String(row.version),
    creation_timestamp: row.created_at,
    last_updated_timestamp: row.updated_at,
    user_id: row.user_id,
    current_stage: row.current_stage,
    description: row.description,
    source: row.source,
    ...(row.run_id !== null ? { run_id: row.run_id } : {}),
    status: row.status,
    ...(row.status_message !== null ? { status_message: row.status_message } : {}),
    ...(version.tags.length > 0 ? { tags: version.tags } : {}),
    ...(version.aliases.length > 0 ? { aliases: version.aliases } : {}),
    ...(row.logged_model_id !== null ? { model_id: row.logged_model_id } : {}),
  };
}

export function presentRegisteredModel(model: ModelRecord): RegisteredModel {
  const row = model.row;
  return {
    name: row.name,
    creation_timestamp: row.created_at,
    last_updated_timestamp: row.updated_at,
    description: row.description,
    ...(model.latestVersions.length > 0 ? { latest_versions: model.latestVersions.map(presentModelVersion) } : {}),
    ...(model.tags.length > 0 ? { tags: model.tags } : {}),
    ...(model.aliases.length > 0 ? { aliases: model.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })) } : {}),
  };
}
