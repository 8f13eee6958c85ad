import { Type, type Static, type TSchema } from 'typebox';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams, QueryBoolean, VersionNumber } from '../http/schemas.ts';
import { RunInputNative, RunNative } from '../tracking/contract.ts';

/** Container images of versions, a part of their own (contract/version-images.ts). */
export * from './contract/version-images.ts';

/**
 * The model registry's native API: every route's request and answer. The web UI imports these
 * types, so this file imports nothing but TypeBox and other contracts.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const EpochMs = (description: string) => Type.Integer({ description: `${description}, epoch milliseconds` });
const IsoTime = (description: string) => Type.String({ description: `${description}, ISO 8601` });
const StringMap = (description: string) => Type.Record(Type.String(), Type.String(), { description });

/** The structured fields of a model card, beside its free Markdown description. */
export const CARD_FIELD_NAMES = ['intended_use', 'limitations', 'training_data', 'evaluation_metrics', 'license'] as const;
export const MAX_CARD_FIELD = 20_000;
export const MAX_DESCRIPTION = 100_000;

const CardFieldValues = (description: string) =>
  Closed(
    {
      intended_use: Type.Optional(Type.String()),
      limitations: Type.Optional(Type.String()),
      training_data: Type.Optional(Type.String()),
      evaluation_metrics: Type.Optional(Type.String()),
      license: Type.Optional(Type.String()),
    },
    { description },
  );

// --- answers -------------------------------------------------------------------------------------

export const CardNative = Closed(
  {
    description: Type.String({ description: 'The card in Markdown' }),
    description_html: Type.String({ description: 'The Markdown rendered to sanitized HTML' }),
    fields: CardFieldValues('The structured fields that are set, in Markdown'),
    fields_html: CardFieldValues('The same fields rendered to sanitized HTML'),
  },
  { description: 'A model card, as written and as rendered by the server (the browser renders no Markdown itself)' },
);
export type CardNative = Static<typeof CardNative>;

export const VersionSourceKind = Type.Enum(['run', 'logged_model', 'files'], { description: 'Where the files come from: a run, a logged model, or files uploaded to the version' });
export const VersionStatus = Type.Enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']);
export const VersionStage = Type.Enum(['None', 'Staging', 'Production', 'Archived'], { description: "MLflow's (deprecated) stage" });
export const ApprovalStatus = Type.Enum(['none', 'pending', 'approved', 'rejected']);
export type ApprovalStatus = Static<typeof ApprovalStatus>;

export const VersionNative = Closed(
  {
    id: Type.Integer({ description: 'The version row id (GitLab: model_version_id)' }),
    model_id: Type.Integer(),
    model_name: Type.String(),
    version: Type.Integer({ description: "MLflow's integer version, 1, 2, 3… per model" }),
    semver: Type.String({ description: 'The semantic version (1.4.2)' }),
    source: Type.String(),
    source_kind: VersionSourceKind,
    run_id: Nullable(Type.String()),
    logged_model_id: Nullable(Type.String()),
    status: VersionStatus,
    current_stage: VersionStage,
    approval_status: ApprovalStatus,
    card: CardNative,
    tags: StringMap('Tags, key → value'),
    labels: Type.Array(Type.String()),
    aliases: Type.Array(Type.String(), { description: 'The aliases that point at this version' }),
    mlflow_uri: Type.String({ description: 'models:/<name>/<version>' }),
    user_id: Type.String({ description: 'Who registered it, as MLflow names them' }),
    created_at: EpochMs('Registered'),
    updated_at: EpochMs('Last changed'),
  },
  { description: 'A version of a registered model' },
);
export type VersionNative = Static<typeof VersionNative>;

export const AliasNative = Closed({ alias: Type.String(), version: Type.Integer() }, { description: 'An alias and the version it points at' });
export type AliasNative = Static<typeof AliasNative>;

export const ModelNative = Closed(
  {
    id: Type.Integer(),
    name: Type.String(),
    card: CardNative,
    tags: StringMap('Tags, key → value'),
    labels: Type.Array(Type.String()),
    aliases: Type.Array(AliasNative),
    latest_version: Nullable(VersionNative),
    created_at: EpochMs('Created'),
    updated_at: EpochMs('Last changed'),
  },
  { description: 'A registered model' },
);
export type ModelNative = Static<typeof ModelNative>;

export const EvaluationNative = Closed(
  {
    id: Type.Integer(),
    metrics: Type.Record(Type.String(), Type.Number(), { description: 'Metric name → value' }),
    dataset: Nullable(Type.String()),
    passed: Nullable(Type.Boolean({ description: "A validation's verdict; null for an evaluation that judged nothing" })),
    thresholds: Nullable(Type.Array(Type.String(), { description: 'What a validation checked (accuracy>=0.9)' })),
    job_id: Nullable(Type.Integer({ description: 'The CI job that recorded it' })),
    author: Nullable(Closed({ id: Type.Integer() })),
    created_at: IsoTime('Recorded'),
  },
  { description: "Metrics computed on a version (an evaluate job), or a validation's verdict" },
);
export type EvaluationNative = Static<typeof EvaluationNative>;

const Person = Closed({ id: Type.Integer(), username: Nullable(Type.String()) });

export const ApprovalDecisionNative = Closed({
  id: Type.Integer(),
  decision: Type.Enum(['approve', 'reject']),
  approver: Person,
  comment: Type.String(),
  created_at: IsoTime('Decided'),
});
export type ApprovalDecisionNative = Static<typeof ApprovalDecisionNative>;

export const ApprovalRequestNative = Closed(
  {
    id: Type.Integer(),
    status: Type.Enum(['pending', 'approved', 'rejected', 'cancelled']),
    requester: Person,
    comment: Type.String(),
    required_approvals: Type.Integer(),
    created_at: IsoTime('Requested'),
    resolved_at: Nullable(IsoTime('Approved or rejected')),
    decisions: Type.Array(ApprovalDecisionNative),
  },
  { description: 'A request to approve a version, with its decisions' },
);
export type ApprovalRequestNative = Static<typeof ApprovalRequestNative>;

export const LineageNative = Closed(
  {
    model: Closed({ id: Type.Integer(), name: Type.String() }),
    version: Closed({
      id: Type.Integer(),
      version: Type.Integer(),
      semver: Type.String(),
      source: Type.String(),
      source_kind: VersionSourceKind,
      status: VersionStatus,
      approval_status: ApprovalStatus,
    }),
    logged_model: Nullable(
      Closed({
        id: Type.String(),
        name: Type.String(),
        status: Type.Enum(['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']),
        artifact_uri: Type.String(),
        params: StringMap('Params, key → value'),
      }),
    ),
    run: Nullable(RunNative),
    experiment: Nullable(Closed({ id: Type.Integer(), name: Type.String() })),
    git_commit: Nullable(Type.String({ description: 'From the run tag mlflow.source.git.commit' })),
    ci_job_id: Nullable(Type.Number({ description: "The CI job that trained it: the run's job, else its modelyard.ci.job_id or gitlab.CI_JOB_ID tag" })),
    imported_from: Nullable(
      Closed(
        {
          kind: Type.String({ description: 'huggingface' }),
          source: Type.String({ description: 'Where from: for the Hub, <endpoint>/<namespace>/<name>' }),
          commit: Type.String({ description: 'The commit the import was pinned to' }),
          import_job_id: Nullable(Type.Integer()),
        },
        { description: 'For an imported version: the repository and commit it was copied from' },
      ),
    ),
    datasets: Type.Array(RunInputNative, { description: "The run's inputs" }),
  },
  { description: 'Where a version came from: version → logged model → run → experiment' },
);
export type LineageNative = Static<typeof LineageNative>;

export const RunVersionNative = Closed(
  { model_name: Type.String(), version: Type.Integer(), version_id: Type.Integer(), semver: Type.String(), approval_status: ApprovalStatus },
  { description: 'A version registered from a run' },
);
export type RunVersionNative = Static<typeof RunVersionNative>;

export const RegistrySettingsNative = Closed(
  {
    required_approvals: Type.Integer({ minimum: 1, maximum: 10, description: 'Approvals a version needs' }),
    protected_aliases: Type.Array(Type.String(), { description: 'Aliases only maintainers may move' }),
    review_issue_label: Type.Union([Type.String(), Type.Null()], {
      description: 'Open issues with this label (e.g. review::required) linked to a version or its model hold it back from approval and protected environments; null: no gate',
    }),
  },
  { description: "A project's registry rules" },
);
export type RegistrySettingsNative = Static<typeof RegistrySettingsNative>;

// --- requests ------------------------------------------------------------------------------------

export const ModelParams = Type.Intersect([ProjectIdParams, Type.Object({ model_id: NumericId })]);
export const VersionParams = Type.Intersect([ModelParams, Type.Object({ version: VersionNumber })]);
export const ModelLabelParams = Type.Intersect([ModelParams, Type.Object({ label: Type.String({ minLength: 1, maxLength: 255 }) })]);
export const VersionLabelParams = Type.Intersect([VersionParams, Type.Object({ label: Type.String({ minLength: 1, maxLength: 255 }) })]);
export const AliasParams = Type.Intersect([ModelParams, Type.Object({ alias: Type.String({ minLength: 1, maxLength: 255 }) })]);
export const RunParams = Type.Intersect([ProjectIdParams, Type.Object({ run_id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })]);
export const VersionRowParams = Type.Intersect([ProjectIdParams, Type.Object({ model_version_id: NumericId })]);
export const VersionFileParams = Type.Intersect([ProjectIdParams, Type.Object({ model_version_id: NumericId, '*': Type.String({ minLength: 1, maxLength: 1024 }) })]);

/** Beside GitLab's pagination (page, per_page), which the route adds: http/pagination.ts is no browser code. */
export const ModelSearchQuery = Type.Object({ search: Type.Optional(Type.String({ maxLength: 255, description: 'Part of the name' })) });
export const DeleteModelQuery = Type.Object({ force: Type.Optional(QueryBoolean) });

/** Card fields to set; null leaves a field as it is. Unknown fields are refused by name. */
export const CardBody = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: MAX_CARD_FIELD }), Type.Null()]));
export type CardBody = Static<typeof CardBody>;

export const CreateModelBody = Closed({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })),
  card: Type.Optional(CardBody),
});
export type CreateModelBody = Static<typeof CreateModelBody>;

export const EditModelBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })),
    card: Type.Optional(CardBody),
  },
  { additionalProperties: false, minProperties: 1, description: 'A new name, description or card fields; all of it applies, or none' },
);
export type EditModelBody = Static<typeof EditModelBody>;

export const LabelBody = Closed({ label: Type.String({ minLength: 1, maxLength: 255 }) });
export const SetAliasBody = Closed({ version: VersionNumber });

export const CreateVersionBody = Closed({
  semver: Type.Optional(Type.String({ maxLength: 64 })),
  source: Type.Optional(Type.String({ maxLength: 2000 })),
  run_id: Type.Optional(Type.String({ maxLength: 64 })),
  logged_model_id: Type.Optional(Type.String({ maxLength: 64 })),
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })),
  tags: Type.Optional(Type.Record(Type.String({ maxLength: 250 }), Type.String({ maxLength: 100_000 }))),
});
export type CreateVersionBody = Static<typeof CreateVersionBody>;

export const EditVersionBody = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })), card: Type.Optional(CardBody) },
  { additionalProperties: false, minProperties: 1 },
);
export type EditVersionBody = Static<typeof EditVersionBody>;

export const RecordEvaluationBody = Closed({
  metrics: Type.Record(Type.String({ maxLength: 250 }), Type.Number()),
  dataset: Type.Optional(Type.String({ maxLength: 1000 })),
  passed: Type.Optional(Type.Boolean()),
  thresholds: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 100 })),
});
export type RecordEvaluationBody = Static<typeof RecordEvaluationBody>;

export const CommentBody = Closed({ comment: Type.Optional(Type.String({ maxLength: 10_000 })) });

export const SettingsBody = Type.Object(
  {
    required_approvals: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    protected_aliases: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 })),
    review_issue_label: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()], { description: 'null or "" turns the issue review gate off' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SettingsBody = Static<typeof SettingsBody>;
