import { Type, type Static, type TSchema } from 'typebox';

/**
 * The registry's events: name → payload. Webhook receivers and the pipeline triggers read these
 * payloads (the triggers turn model_name, model_id, version, version_id, semver, alias and added
 * into a pipeline's MODEL_* variables), so a field once sent keeps its name and type. A change
 * made by a CI job also carries `ci_job_id`, which the outbox adds to every event.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** What every version event names: the model by name, the version by number and by row id. */
const VersionRef = {
  model_name: Type.String(),
  version: Type.Integer({ description: "MLflow's integer version" }),
  version_id: Type.Integer({ description: 'The version row id (GitLab: model_version_id)' }),
};

const ApprovalOutcome = Type.Object({
  ...VersionRef,
  semver: Type.String(),
  request_id: Type.Integer(),
  decision: Type.Enum(['approve', 'reject']),
  approvals: Type.Integer({ description: 'Approvals given to the request so far' }),
  required: Type.Integer({ description: 'Approvals the request needs' }),
});

export const RegistryEvents = {
  'registry.model.created': Type.Object({ model_id: Type.Integer(), name: Type.String() }),
  'registry.model.renamed': Type.Object({ model_id: Type.Integer(), from: Type.String(), to: Type.String() }),
  'registry.model.updated': Type.Object({ model_id: Type.Integer(), name: Type.String(), fields: Type.Array(Type.String(), { description: 'The fields the change set' }) }),
  'registry.model.deleted': Type.Object({ model_id: Type.Integer(), name: Type.String() }),
  'registry.model.tag_set': Type.Object({ model_id: Type.Integer(), name: Type.String(), key: Type.String() }),
  'registry.model.tag_deleted': Type.Object({ model_id: Type.Integer(), name: Type.String(), key: Type.String() }),
  /** A label added to (`added`, with the labels of its scope it replaced in `removed`) or removed from a model or a version. */
  'registry.label.changed': Type.Union([
    Type.Object({ model_id: Type.Integer(), name: Type.String(), added: Nullable(Type.String()), removed: Type.Array(Type.String()) }),
    Type.Object({ ...VersionRef, semver: Type.Optional(Type.String()), added: Nullable(Type.String()), removed: Type.Array(Type.String()) }),
  ]),
  'registry.version.created': Type.Object({
    ...VersionRef,
    model_id: Type.Integer(),
    semver: Type.String(),
    run_id: Nullable(Type.String()),
    logged_model_id: Nullable(Type.String()),
    model_uri: Type.String({ description: 'models:/<name>/<version>' }),
  }),
  'registry.version.updated': Type.Object(VersionRef),
  'registry.version.stage_changed': Type.Object({ ...VersionRef, from: Type.String(), to: Type.String() }),
  'registry.version.deleted': Type.Object(VersionRef),
  'registry.version.tag_set': Type.Object({ ...VersionRef, key: Type.String() }),
  'registry.version.tag_deleted': Type.Object({ ...VersionRef, key: Type.String() }),
  'registry.version.evaluated': Type.Object({ ...VersionRef, evaluation_id: Type.Integer(), passed: Nullable(Type.Boolean()) }),
  'registry.version.approval_requested': Type.Object({ ...VersionRef, semver: Type.String(), request_id: Type.Integer() }),
  'registry.version.approval_recorded': ApprovalOutcome,
  'registry.version.approved': ApprovalOutcome,
  'registry.version.rejected': ApprovalOutcome,
  'registry.alias.moved': Type.Object({
    model_name: Type.String(),
    alias: Type.String(),
    version: Type.Integer(),
    version_id: Type.Integer(),
    semver: Type.String(),
    previous_version: Nullable(Type.Integer()),
    model_uri: Type.String({ description: 'models:/<name>@<alias>' }),
  }),
  'registry.alias.deleted': Type.Object({ model_name: Type.String(), alias: Type.String() }),
  'registry.settings.updated': Type.Object({ required_approvals: Type.Integer(), protected_aliases: Type.Array(Type.String()), review_issue_label: Nullable(Type.String()) }),
} as const;

export type RegistryEventName = keyof typeof RegistryEvents;
export type RegistryEventPayload<N extends RegistryEventName> = Static<(typeof RegistryEvents)[N]>;

/**
 * A registry event for the outbox, its payload checked against the map at compile time. The
 * outbox's `recordChange` takes it as it is.
 */
export function registryEvent<N extends RegistryEventName>(type: N, projectId: number, payload: RegistryEventPayload<N>): { type: N; projectId: number; payload: RegistryEventPayload<N> } {
  return { type, projectId, payload };
}
