import { presentRunNative } from '../tracking/presenters.ts';
import type { ApprovalHistory } from './approvals-service.ts';
import type { CardImages } from './card-images.ts';
import type { ApprovalRequestNative, CardNative, EvaluationNative, LineageNative, ModelNative, RegistrySettingsNative, RunVersionNative, VersionNative } from './contract.ts';
import type { EvaluationRow } from './evaluations-service.ts';
import type { RunVersion, VersionLineage } from './lineage-service.ts';
import { renderMarkdown, versionFilesBase, type ModelCard } from './model-card.ts';
import type { ModelVersion, RegisteredModel } from './registry-model.ts';
import type { RegistrySettings } from './settings-service.ts';

/** The registry's rows as the native API answers them: the only place they become JSON. */

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** `projectId`: the project whose issues and versions the card's references (#12, model:name/3) name. */
export function presentCard(cardJson: string, description: string, images: CardImages, projectId: number): CardNative {
  const card = JSON.parse(cardJson) as ModelCard;
  const references = { projectId };
  return {
    description,
    description_html: renderMarkdown(description, images, references),
    fields: card,
    fields_html: Object.fromEntries(Object.entries(card).map(([key, value]) => [key, renderMarkdown(value ?? '', images, references)])),
  };
}

/** `projectId` places the version's files, which its card's images may show. */
export function presentVersionNative(version: ModelVersion, projectId: number): VersionNative {
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
    card: presentCard(row.card, row.description, { filesBase: versionFilesBase(projectId, row.id) }, projectId),
    tags: Object.fromEntries(version.tags.map((t) => [t.key, t.value])),
    labels: version.labels,
    aliases: version.aliases,
    mlflow_uri: `models:/${version.modelName}/${row.version}`,
    user_id: row.user_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentModelNative(model: RegisteredModel): ModelNative {
  const row = model.row;
  const latest = [...model.latestVersions].sort((a, b) => b.row.version - a.row.version)[0];
  return {
    id: row.id,
    name: row.name,
    card: presentCard(row.card, row.description, { filesBase: null }, row.project_id),
    tags: Object.fromEntries(model.tags.map((t) => [t.key, t.value])),
    labels: model.labels,
    aliases: model.aliases,
    latest_version: latest ? presentVersionNative(latest, row.project_id) : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentEvaluation(row: EvaluationRow): EvaluationNative {
  return {
    id: row.id,
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    dataset: row.dataset,
    passed: row.passed === null ? null : row.passed === 1,
    thresholds: row.thresholds === null ? null : (JSON.parse(row.thresholds) as string[]),
    job_id: row.job_id,
    author: row.author_id === null ? null : { id: row.author_id },
    created_at: iso(row.created_at),
  };
}

/** Every request of a version with its decisions, newest first. */
export function presentApprovalHistory(history: ApprovalHistory): ApprovalRequestNative[] {
  const person = (id: number) => ({ id, username: history.usernames.get(id) ?? null });
  return history.requests.map((r) => ({
    id: r.id,
    status: r.status,
    requester: person(r.requester_id),
    comment: r.comment,
    required_approvals: r.required_approvals,
    created_at: iso(r.created_at),
    resolved_at: r.resolved_at === null ? null : iso(r.resolved_at),
    decisions: history.decisions
      .filter((d) => d.request_id === r.id)
      .map((d) => ({ id: d.id, decision: d.decision, approver: person(d.approver_id), comment: d.comment, created_at: iso(d.created_at) })),
  }));
}

export function presentLineage(lineage: VersionLineage): LineageNative {
  const { model, version: row, loggedModel: logged, experiment } = lineage;
  const run = lineage.run ? presentRunNative(lineage.run) : null;
  return {
    model: { id: model.id, name: model.name },
    version: { id: row.id, version: row.version, semver: row.semver, source: row.source, source_kind: row.source_kind, status: row.status, approval_status: row.approval_status },
    logged_model: logged
      ? { id: logged.row.id, name: logged.row.name, status: logged.row.status, artifact_uri: logged.artifactUri, params: Object.fromEntries(logged.params.map((p) => [p.key, p.value])) }
      : null,
    run,
    experiment: experiment ? { id: experiment.id, name: experiment.name } : null,
    git_commit: lineage.gitCommit,
    ci_job_id: lineage.ciJobId,
    imported_from: lineage.importedFrom
      ? { kind: lineage.importedFrom.kind, source: lineage.importedFrom.source, commit: lineage.importedFrom.commit, import_job_id: lineage.importedFrom.jobId }
      : null,
    datasets: run ? run.inputs : [],
  };
}

export function presentRunVersion(version: RunVersion): RunVersionNative {
  return { model_name: version.modelName, version: version.version, version_id: version.id, semver: version.semver, approval_status: version.approvalStatus };
}

export function presentRegistrySettings(settings: RegistrySettings): RegistrySettingsNative {
  return { required_approvals: settings.required_approvals, protected_aliases: settings.protected_aliases, review_issue_label: settings.review_issue_label };
}
