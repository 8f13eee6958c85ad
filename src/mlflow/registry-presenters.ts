import type { ModelVersion as VersionRecord, RegisteredModel as ModelRecord } from '../registry/registry-model.ts';
import type { ModelVersion, RegisteredModel } from './contract.ts';

/**
 * MLflow's ModelVersion message. A semantic version that was given (not counted on) rides along
 * among the version's aliases, where GitLab puts it and gitlab-mlops reads it; it is no alias of
 * the model (never in the registered model's alias map), and `models:/name@1.0.0` resolves it.
 */
export function presentModelVersion(version: VersionRecord): ModelVersion {
  const row = version.row;
  const aliases = row.semver_explicit === 1 ? [...version.aliases, row.semver] : version.aliases;
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
    ...(aliases.length > 0 ? { aliases } : {}),
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
