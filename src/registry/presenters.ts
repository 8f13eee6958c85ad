import { presentCard, versionFilesBase } from './model-card.ts';
import type { ModelVersion, RegisteredModel } from './registry-model.ts';

/** `projectId` places the version's files, which its card's images may show. */
export function presentVersionNative(version: ModelVersion, projectId: number) {
  const row = version.row;
  return {
    id: row.id,
    model_id: row.model_id,
    model_name: version.modelName,
    version: row.version,
    semver: row.semver,
    source: row.source,
    source_kind: row.source_kind,
    run_id: row.run_id,
    logged_model_id: row.logged_model_id,
    status: row.status,
    current_stage: row.current_stage,
    approval_status: row.approval_status,
    card: presentCard(row.card, row.description, { filesBase: versionFilesBase(projectId, row.id) }),
    tags: Object.fromEntries(version.tags.map((t) => [t.key, t.value])),
    labels: version.labels,
    aliases: version.aliases,
    mlflow_uri: `models:/${version.modelName}/${row.version}`,
    user_id: row.user_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentModelNative(model: RegisteredModel) {
  const row = model.row;
  const latest = [...model.latestVersions].sort((a, b) => b.row.version - a.row.version)[0];
  return {
    id: row.id,
    name: row.name,
    card: presentCard(row.card, row.description, { filesBase: null }),
    tags: Object.fromEntries(model.tags.map((t) => [t.key, t.value])),
    labels: model.labels,
    aliases: model.aliases,
    latest_version: latest ? presentVersionNative(latest, row.project_id) : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
