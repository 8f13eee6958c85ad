import type { ColumnType, Generated } from 'kysely';

export interface RegisteredModelsTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  /** The model card, in Markdown. */
  description: string;
  /** Structured card fields as JSON: intended_use, limitations, training_data, evaluation_metrics, license. */
  card: string;
  creator_id: number | null;
  updater_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface ModelVersionsTable {
  id: Generated<number>;
  model_id: number;
  /** MLflow's integer version, 1, 2, 3… per model. */
  version: number;
  semver: string;
  /** Parts of the semantic version, kept for ordering ("the highest semver"). */
  semver_major: number;
  semver_minor: number;
  semver_patch: number;
  semver_prerelease: string;
  /** 1 when the semantic version was given (a semver tag or the native API), 0 when counted on. */
  semver_explicit: number;
  source: string;
  source_kind: 'run' | 'logged_model' | 'files';
  run_id: string | null;
  logged_model_id: string | null;
  status: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
  status_message: string | null;
  description: string;
  card: string;
  current_stage: 'None' | 'Staging' | 'Production' | 'Archived';
  approval_status: 'none' | 'pending' | 'approved' | 'rejected';
  user_id: string;
  creator_id: number | null;
  created_at: number;
  updated_at: number;
}

/** Metrics an evaluation (usually a CI job) computed on a version, and a validation's verdict. */
export interface ModelVersionEvaluationsTable {
  id: Generated<number>;
  version_id: number;
  /** JSON object metric → number. */
  metrics: string;
  dataset: string | null;
  /** null: not validated; 1 passed; 0 failed the thresholds. */
  passed: number | null;
  /** JSON list of the thresholds a validation checked. */
  thresholds: string | null;
  job_id: number | null;
  pipeline_id: number | null;
  author_id: number | null;
  created_at: number;
}

/** A container image built of a version from its image context, by manifest digest. */
export interface ModelVersionImagesTable {
  id: Generated<number>;
  version_id: number;
  /** `sha256:` and 64 hex digits. */
  digest: string;
  size: number;
  base: string;
  reference: string;
  /** JSON list of the tags the image was given. */
  tags: string;
  built_at: number;
  job_id: number | null;
  author_id: number | null;
  created_at: number;
}

export interface ModelTagsTable {
  model_id: number;
  key: string;
  value: string;
}

export interface VersionTagsTable {
  version_id: number;
  key: string;
  value: string;
}

export interface ModelAliasesTable {
  model_id: number;
  alias: string;
  version_id: number;
  updated_at: number;
}

/** GitLab-style labels; `scope::value` labels are exclusive within their scope. */
export interface ModelLabelsTable {
  model_id: number;
  label: string;
}

export interface VersionLabelsTable {
  version_id: number;
  label: string;
}

export interface RegistrySettingsTable {
  project_id: number;
  required_approvals: number;
  /** JSON array of alias names only maintainers may move. */
  protected_aliases: string;
  /** The label of linked issues that must be closed before a version is approved or deployed to a protected environment; null: no gate. */
  review_issue_label: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApprovalRequestsTable {
  id: Generated<number>;
  version_id: number;
  requester_id: number;
  comment: string;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled';
  required_approvals: number;
  created_at: number;
  resolved_at: number | null;
}

export interface ApprovalDecisionsTable {
  id: Generated<number>;
  request_id: number;
  approver_id: number;
  decision: 'approve' | 'reject';
  comment: string;
  created_at: number;
}

export interface RegistryTables {
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  model_tags: ModelTagsTable;
  version_tags: VersionTagsTable;
  model_aliases: ModelAliasesTable;
  model_labels: ModelLabelsTable;
  version_labels: VersionLabelsTable;
  registry_settings: RegistrySettingsTable;
  approval_requests: ApprovalRequestsTable;
  approval_decisions: ApprovalDecisionsTable;
  model_version_evaluations: ModelVersionEvaluationsTable;
  model_version_images: ModelVersionImagesTable;
}
