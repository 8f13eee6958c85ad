import type { ModelVersion, RegisteredModel } from '../registry/registry-model.ts';
import { withoutUnset } from './proto-json.ts';

/** MLflow's ModelVersion message; the semantic version rides along as a tag-free extra field. */
export function presentModelVersion(version: ModelVersion) {
  const row = version.row;
  return withoutUnset({
    name: version.modelName,
    version: String(row.version),
    creation_timestamp: row.created_at,
    last_updated_timestamp: row.updated_at,
    user_id: row.user_id,
    current_stage: row.current_stage,
    description: row.description,
    source: row.source,
    run_id: row.run_id ?? undefined,
    status: row.status,
    status_message: row.status_message ?? undefined,
    tags: version.tags.length > 0 ? version.tags : undefined,
    aliases: version.aliases.length > 0 ? version.aliases : undefined,
    model_id: row.logged_model_id ?? undefined,
  });
}

export function presentRegisteredModel(model: RegisteredModel) {
  const row = model.row;
  return withoutUnset({
    name: row.name,
    creation_timestamp: row.created_at,
    last_updated_timestamp: row.updated_at,
    description: row.description,
    latest_versions: model.latestVersions.length > 0 ? model.latestVersions.map(presentModelVersion) : undefined,
    tags: model.tags.length > 0 ? model.tags : undefined,
    aliases: model.aliases.length > 0 ? model.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })) : undefined,
  });
}
