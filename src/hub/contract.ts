import { Type, type Static } from 'typebox';
import { Closed } from '../http/responses.ts';

/**
 * The Hugging Face Hub's HTTP protocol, as far as its clients (`huggingface_hub`,
 * `transformers`) read it: the wire types, the headers and the error codes. Learned from the
 * client's source (file_download.py, hf_api.py, utils/_http.py), not copied. Modelyard serves
 * it over the registry; an importer from the Hub reads the same shapes.
 */

/** Where the protocol is mounted: `HF_ENDPOINT=<public URL>/api/hf`. */
export const HUB_PREFIX = '/api/hf';

/** The headers a download's `HEAD` carries and the client reads. */
export const HUB_HEADERS = {
  /** The commit a resolved revision names; the client files its cache under it. */
  repoCommit: 'X-Repo-Commit',
  /** The file's ETag (an LFS file's SHA-256), preferred by the client to `ETag`. */
  linkedEtag: 'X-Linked-Etag',
  /** The file's size, preferred by the client to `Content-Length`. */
  linkedSize: 'X-Linked-Size',
  /** The kind of refusal, which the client turns into a typed exception. */
  errorCode: 'X-Error-Code',
  errorMessage: 'X-Error-Message',
} as const;

/** The refusals the client tells apart (`hf_raise_for_status`). */
export const HUB_ERROR_CODES = ['RepoNotFound', 'RevisionNotFound', 'EntryNotFound', 'GatedRepo'] as const;
export type HubErrorCode = (typeof HUB_ERROR_CODES)[number];

/** What the Hub answers when a presented token is not valid: the client reports it as such, not as a missing repository. */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid credentials in Authorization header';

/** A commit id: 40 hexadecimal digits, as git's. */
export const CommitSha = Type.String({ pattern: '^[0-9a-f]{40}$', description: 'The commit: 40 hex digits, stable for the same files' });

/** An LFS object: the file's SHA-256 and size, and the size of the git pointer file that stands for it. */
export const HubLfs = Closed({
  oid: Type.String({ pattern: '^[0-9a-f]{64}$', description: "The file's SHA-256" }),
  size: Type.Integer({ minimum: 0 }),
  pointerSize: Type.Integer({ minimum: 0, description: 'The size of the git-lfs pointer file' }),
});

export const HubTreeFile = Closed({
  type: Type.Literal('file'),
  oid: Type.String({ pattern: '^[0-9a-f]{40}$', description: "The git blob id of the file's LFS pointer" }),
  size: Type.Integer({ minimum: 0 }),
  path: Type.String(),
  lfs: HubLfs,
});
export type HubTreeFile = Static<typeof HubTreeFile>;

export const HubTreeDirectory = Closed({
  type: Type.Literal('directory'),
  oid: Type.String({ pattern: '^[0-9a-f]{40}$', description: 'A digest of what the directory holds' }),
  size: Type.Integer({ minimum: 0 }),
  path: Type.String(),
});
export type HubTreeDirectory = Static<typeof HubTreeDirectory>;

export const HubTreeEntry = Type.Union([HubTreeFile, HubTreeDirectory]);
export type HubTreeEntry = Static<typeof HubTreeEntry>;
export const HubTree = Type.Array(HubTreeEntry, { description: 'One page of a tree; the next page is named by the `Link` header (rel="next")' });

/** A file of `model_info`'s `siblings`: its name, and with `?blobs=true` its size and digests. */
export const HubSibling = Closed({
  rfilename: Type.String({ description: "The file's path in the repository" }),
  size: Type.Optional(Type.Integer({ minimum: 0 })),
  blobId: Type.Optional(Type.String()),
  lfs: Type.Optional(Closed({ size: Type.Integer({ minimum: 0 }), sha256: Type.String(), pointerSize: Type.Integer({ minimum: 0 }) })),
});
export type HubSibling = Static<typeof HubSibling>;

/** `GET /api/models/{repo_id}[/revision/{rev}]`: what `HfApi.model_info` reads. */
export const HubModelInfo = Closed({
  id: Type.String({ description: 'The repository id: `namespace/name`' }),
  modelId: Type.String(),
  author: Type.String({ description: 'The namespace' }),
  sha: CommitSha,
  lastModified: Type.String({ description: 'ISO 8601' }),
  createdAt: Type.String({ description: 'ISO 8601' }),
  private: Type.Boolean(),
  gated: Type.Literal(false),
  disabled: Type.Boolean(),
  tags: Type.Array(Type.String()),
  siblings: Type.Array(HubSibling),
});
export type HubModelInfo = Static<typeof HubModelInfo>;

/** The Hub's error body; the code itself travels in `X-Error-Code`. */
export const HubError = Closed({ error: Type.String() });
export type HubError = Static<typeof HubError>;

// --- requests ------------------------------------------------------------------------------------

const Namespace = Type.String({ minLength: 1, maxLength: 255, description: "The namespace: the project's path (or its id)" });
const RepoName = Type.String({ minLength: 1, maxLength: 255, description: "The repository's name: the model's name, made a Hub name by the slug rule" });
const Revision = Type.String({ minLength: 1, maxLength: 255, description: 'A semantic version, an alias, a version number, `main` or a commit sha' });

export const HubRepoParams = Type.Object({ id: Namespace, model: RepoName });
export type HubRepoParams = Static<typeof HubRepoParams>;
export const HubRevisionParams = Type.Object({ id: Namespace, model: RepoName, revision: Revision });
export type HubRevisionParams = Static<typeof HubRevisionParams>;
export const HubPathParams = Type.Object({ id: Namespace, model: RepoName, revision: Revision, '*': Type.String({ description: 'A path in the repository' }) });
export type HubPathParams = Static<typeof HubPathParams>;

const QueryFlag = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);
export const isSet = (flag: Static<typeof QueryFlag> | undefined): boolean => flag === true || flag === 'true' || flag === '1';

export const HubModelInfoQuery = Type.Object({
  blobs: Type.Optional(QueryFlag),
  securityStatus: Type.Optional(QueryFlag),
  expand: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
});
export type HubModelInfoQuery = Static<typeof HubModelInfoQuery>;

/** The most entries one page of a tree holds, as on the Hub. */
export const TREE_PAGE_LIMIT = 1000;

export const HubTreeQuery = Type.Object({
  recursive: Type.Optional(QueryFlag),
  expand: Type.Optional(QueryFlag),
  cursor: Type.Optional(Type.String({ maxLength: 100, description: 'Where the page starts: from the `Link` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TREE_PAGE_LIMIT, description: `Entries per page (at most ${TREE_PAGE_LIMIT}, the default)` })),
});
export type HubTreeQuery = Static<typeof HubTreeQuery>;
