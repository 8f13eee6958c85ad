import { Type, type Static, type TSchema } from 'typebox';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';

/**
 * Import jobs' native API. A job is generic (kind, source, state, progress, error); each kind
 * has its own creation body. The web UI imports these types.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoTime = (description: string) => Type.String({ description: `${description}, ISO 8601` });

export const IMPORT_STATE_NAMES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;

/** Allow and ignore patterns: globs, at most this many of each. */
export const MAX_PATTERNS = 50;
const Patterns = (description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: MAX_PATTERNS, description }));

export const CreateHuggingFaceImportBody = Type.Object(
  {
    repository: Type.String({ minLength: 1, maxLength: 200, description: 'namespace/name on the Hub (or a Hub-compatible endpoint), e.g. google-bert/bert-base-uncased' }),
    revision: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'A branch, tag or commit; default main. Pinned to its commit when the job is created' })),
    model: Type.String({ minLength: 1, maxLength: 255, description: 'The registered model that gets the new version (created if missing)' }),
    include: Patterns('Only files matching one of these globs (a pattern without "/" matches a file name in any folder; a trailing "/" means a whole folder)'),
    exclude: Patterns('No file matching one of these globs'),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'A Hugging Face token for private and gated repositories: stored sealed until the job ends, never returned' })),
  },
  { additionalProperties: false },
);
export type CreateHuggingFaceImportBody = Static<typeof CreateHuggingFaceImportBody>;

const HttpUrl = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '^https?://', description }));

export const CreateVertexImportBody = Type.Object(
  {
    google_project: Type.String({ minLength: 1, maxLength: 63, description: 'The Google Cloud project (id or number) whose Vertex AI registry holds the model' }),
    location: Type.String({ minLength: 1, maxLength: 63, description: "The model's region, e.g. us-central1" }),
    vertex_model: Type.String({ minLength: 1, maxLength: 128, description: "The Vertex AI model's id (the last part of its resource name)" }),
    versions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
        minItems: 1,
        maxItems: 100,
        description: 'Version ids or aliases to import, each into a registry version of its own (one job each); default: every version',
      }),
    ),
    model: Type.String({ minLength: 1, maxLength: 255, description: 'The registered model that gets the new versions (created if missing)' }),
    key: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 65536,
        description:
          "A service account's JSON key (roles: Vertex AI viewer, Storage object viewer): stored sealed until each job ends, never returned; omitted: the project's Google Cloud integration's key",
      }),
    ),
    aiplatform_url: HttpUrl('The Vertex AI API endpoint; default https://{location}-aiplatform.googleapis.com (a private endpoint for sovereign or air-gapped installs)'),
    storage_url: HttpUrl("The Cloud Storage JSON API endpoint; default https://storage.googleapis.com. The token endpoint is the key's token_uri"),
  },
  { additionalProperties: false },
);
export type CreateVertexImportBody = Static<typeof CreateVertexImportBody>;

export const ListVertexModelsBody = Type.Object(
  {
    google_project: CreateVertexImportBody.properties.google_project,
    location: CreateVertexImportBody.properties.location,
    vertex_model: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "A model's id: its versions are listed instead of the models" })),
    key: CreateVertexImportBody.properties.key,
    aiplatform_url: CreateVertexImportBody.properties.aiplatform_url,
  },
  { additionalProperties: false },
);
export type ListVertexModelsBody = Static<typeof ListVertexModelsBody>;

export const VertexModelNative = Closed(
  {
    resource: Type.String({ description: 'projects/{project}/locations/{location}/models/{id}@{versionId}' }),
    vertex_model: Type.String({ description: "The model's id, what an import's vertex_model names" }),
    version_id: Type.String(),
    version_aliases: Type.Array(Type.String()),
    display_name: Type.String(),
    description: Type.String(),
    artifact_uri: Type.String({ description: 'Where its files are (gs://...); empty when it has none' }),
    version_create_time: Type.String(),
  },
  { description: 'A model of a Vertex AI registry at one version (its default version when models are listed)' },
);
export type VertexModelNative = Static<typeof VertexModelNative>;

export const ImportParams = Type.Object({ id: ProjectIdParams.properties.id, import_id: NumericId });

export const ImportListQuery = Type.Object({ state: Type.Optional(Type.Enum([...IMPORT_STATE_NAMES])) });

export const ImportProgressNative = Closed({
  files_done: Type.Integer(),
  files_total: Type.Integer(),
  bytes_done: Type.Integer(),
  bytes_total: Type.Integer(),
  bytes_per_second: Nullable(Type.Number({ description: 'Over the current run (since the job was last picked up)' })),
  eta_seconds: Nullable(Type.Number({ description: 'At the current rate' })),
});

export const ImportJobNative = Closed(
  {
    id: Type.Integer(),
    kind: Type.String({ description: 'huggingface or vertex_ai' }),
    state: Type.Enum([...IMPORT_STATE_NAMES]),
    model_name: Type.String(),
    source: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), {
      description:
        "The source, pinned (for huggingface: endpoint, repository, revision, commit, include, exclude; for vertex_ai: aiplatform_url, storage_url, resource, version_id, artifact_uri and the version's metadata)",
    }),
    has_credential: Type.Boolean({ description: 'Whether a token or key was given and is still held (it is erased when the job ends)' }),
    progress: ImportProgressNative,
    error: Nullable(Type.String()),
    version_id: Nullable(Type.Integer({ description: 'The version made, or the one a re-import of the same source found' })),
    created_at: IsoTime('Created'),
    started_at: Nullable(IsoTime('First picked up')),
    finished_at: Nullable(IsoTime('Ended')),
  },
  { description: 'An import of a model from another system into a new version' },
);
export type ImportJobNative = Static<typeof ImportJobNative>;
