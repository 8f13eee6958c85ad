import { Type, type Static } from 'typebox';

/**
 * The targets' API (src/deployments/environment-target-routes.ts): where an environment's
 * variants run, as `PUT …/environments/:id/target` takes it and `GET …/target` answers it.
 */

/** RFC 1123 label: a Kubernetes namespace's name. */
const NAMESPACE = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A bearer token goes into a header: no white space, no control characters. */
const TOKEN = '^[\\x21-\\x7e]+$';

/** A Google Cloud project id (6–30 characters), or a project number. */
const GCP_PROJECT = '^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})$';
/** A Vertex AI location: `us-central1`, `europe-west4`. */
const LOCATION = '^[a-z]+-[a-z]+[0-9]{1,2}$';

export const KServeTargetBody = Type.Object(
  {
    kind: Type.Literal('kserve', { description: 'KServe InferenceServices in a Kubernetes namespace' }),
    api_url: Type.String({ minLength: 1, maxLength: 2048, description: "The Kubernetes API server's URL (the outbound policy must allow it)" }),
    namespace: Type.String({ minLength: 1, maxLength: 63, pattern: NAMESPACE }),
    ca_pem: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 65_536 }), Type.Null()], { description: "PEM of the CA that signed the API server's certificate; omitted: keep, null: the system's CAs" }),
    ),
    token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16_384,
        pattern: TOKEN,
        description: 'Bearer token of a service account allowed to manage InferenceServices there; stored sealed, never returned; omitted: keep',
      }),
    ),
    routing: Type.Optional(
      Type.Union([Type.Literal('gateway'), Type.Literal('native')], {
        description: "'native': KServe's canaryTrafficPercent serves single and canary deployments; 'gateway' (default): Modelyard's gateway splits",
      }),
    ),
    service_account: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 253, pattern: NAMESPACE }), Type.Null()], { description: 'The service account whose Secret holds S3 credentials, for s3:// storage' }),
    ),
  },
  { additionalProperties: false },
);

const NullableUrl = (description: string) => Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()], { description }));

export const VertexTargetBody = Type.Object(
  {
    kind: Type.Literal('vertex', { description: "An endpoint of Vertex AI in a Google Cloud project's location" }),
    gcp_project: Type.String({ minLength: 1, maxLength: 30, pattern: GCP_PROJECT, description: 'The Google Cloud project (id or number)' }),
    location: Type.String({ minLength: 1, maxLength: 40, pattern: LOCATION, description: 'The Vertex AI location, e.g. us-central1' }),
    staging_uri: Type.String({ minLength: 6, maxLength: 1024, pattern: '^gs://', description: "The Cloud Storage folder versions' files are copied to (gs://bucket/prefix)" }),
    service_account_key: Type.Optional(
      Type.Union([Type.String({ minLength: 2, maxLength: 65_536 }), Type.Null()], {
        description: "The service account's JSON key; stored sealed, never returned; omitted: keep (the first time: the project's Google Cloud integration); null: the project's integration",
      }),
    ),
    machine_type: Type.Optional(Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9-]+$', description: 'The machines deployed models run on (default n1-standard-2)' })),
    min_replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    max_replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    api_url: NullableUrl("A private Vertex AI endpoint; null or omitted: Google's regional one"),
    storage_url: NullableUrl("A private Cloud Storage endpoint; null or omitted: Google's"),
    routing: Type.Optional(
      Type.Union([Type.Literal('gateway'), Type.Literal('native')], { description: "Only 'native' (the default): Vertex AI's traffic split serves single, canary and A/B deployments" }),
    ),
  },
  { additionalProperties: false },
);

/** One of the kinds, told apart by `kind` (a discriminator, so a refusal names the field of the kind given). */
export const SetTargetBody = Type.Unsafe<Static<typeof KServeTargetBody> | Static<typeof VertexTargetBody>>({
  type: 'object',
  description: 'Where the variants run: a KServe namespace or a Vertex AI endpoint',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [KServeTargetBody, VertexTargetBody],
});
export type SetTargetBody = Static<typeof SetTargetBody>;

export const EnvironmentTarget = Type.Object({
  environment_id: Type.Integer(),
  kind: Type.Union([Type.Literal('agent'), Type.Literal('kserve'), Type.Literal('vertex')]),
  routing: Type.Union([Type.Literal('gateway'), Type.Literal('native')]),
  kserve: Type.Union([
    Type.Object({
      api_url: Type.String(),
      namespace: Type.String(),
      ca_pem_set: Type.Boolean(),
      token_set: Type.Boolean(),
      service_account: Type.Union([Type.String(), Type.Null()]),
      last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last apply failed; null once one succeeded' }),
    }),
    Type.Null(),
  ]),
  vertex: Type.Union([
    Type.Object({
      gcp_project: Type.String(),
      location: Type.String(),
      staging_uri: Type.String(),
      machine_type: Type.String(),
      min_replicas: Type.Integer(),
      max_replicas: Type.Integer(),
      api_url: Type.Union([Type.String(), Type.Null()]),
      storage_url: Type.Union([Type.String(), Type.Null()]),
      service_account: Type.Union([Type.String(), Type.Null()], { description: "The key's service account (client_email); the key itself is never returned" }),
      key_source: Type.Union([Type.Literal('environment'), Type.Literal('project_integration')], { description: "The environment's own key, or the project's Google Cloud integration's" }),
      last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last deployment to Vertex AI failed; null once one succeeded' }),
    }),
    Type.Null(),
  ]),
});
export type KServeTargetBody = Static<typeof KServeTargetBody>;
export type VertexTargetBody = Static<typeof VertexTargetBody>;
export type EnvironmentTarget = Static<typeof EnvironmentTarget>;
