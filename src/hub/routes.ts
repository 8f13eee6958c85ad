import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessOf } from '../auth/request-context.ts';
import { sendDownload } from '../http/download.ts';
import { Bytes } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import {
  HUB_HEADERS,
  HUB_PREFIX,
  HubError,
  HubModelInfo,
  HubModelInfoQuery,
  HubPathParams,
  HubRepoParams,
  HubRevisionParams,
  HubTree,
  HubTreeQuery,
  isSet,
  TREE_PAGE_LIMIT,
  type HubModelInfo as ModelInfo,
  type HubTreeEntry,
} from './contract.ts';
import { sendHubError } from './error-replies.ts';
import { HubErrors } from './errors.ts';
import { presentModelInfo } from './present.ts';
import { DEFAULT_REVISION, type HubRepositories } from './repositories-service.ts';
import { decodeCursor, encodeCursor, listTree } from './tree.ts';

const tags = ['huggingface'];
const hubReplies = <R extends Record<number, unknown>>(answers: R) => ({ ...answers, '4xx': HubError });

/** The repository id a request names: the project's path (whether it was named by path or id) and the repository's name. */
function repoOf(request: { project: { path: string } | null }, name: string): string {
  return `${request.project!.path}/${name}`;
}

/** The next page's link names the origin the client reached, so it fetches that page, with its token, from the same server. */
function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * The Hugging Face Hub's read protocol over the registry, at `HF_ENDPOINT=<public URL>/api/hf`:
 * `model_info`, `list_repo_tree`, `hf_hub_download` and `snapshot_download` of
 * `huggingface_hub` (and `from_pretrained` of `transformers`) read registry versions.
 * Permissions are the registry's (ml:read).
 */
export async function hubRoutes(app: App, deps: { repositories: HubRepositories }): Promise<void> {
  const { repositories } = deps;
  app.setErrorHandler(sendHubError);

  const modelInfo = async (request: FastifyRequest, name: string, revision: string, query: HubModelInfoQuery): Promise<ModelInfo> => {
    const snapshot = await repositories.snapshot(accessOf(request), repoOf(request, name), name, revision);
    return presentModelInfo(snapshot, request.project!, isSet(query.blobs));
  };

  app.get(
    `${HUB_PREFIX}/api/models/:id/:model`,
    {
      config: { ability: 'ml:read' },
      schema: {
        tags,
        summary: 'model_info: a model as a Hub repository at `main` (the alias `main`, else the newest version)',
        params: HubRepoParams,
        querystring: HubModelInfoQuery,
        response: hubReplies({ 200: HubModelInfo }),
      },
    },
    async (request) => modelInfo(request, request.params.model, DEFAULT_REVISION, request.query),
  );

  app.get(
    `${HUB_PREFIX}/api/models/:id/:model/revision/:revision`,
    {
      config: { ability: 'ml:read' },
      schema: {
        tags,
        summary: 'model_info at a revision: a semantic version, an alias, a version number, `main` or a commit sha',
        params: HubRevisionParams,
        querystring: HubModelInfoQuery,
        response: hubReplies({ 200: HubModelInfo }),
      },
    },
    async (request) => modelInfo(request, request.params.model, request.params.revision, request.query),
  );

  const tree = async (request: FastifyRequest<{ Params: HubRevisionParams & { '*'?: string }; Querystring: HubTreeQuery }>, reply: FastifyReply): Promise<HubTreeEntry[]> => {
    const snapshot = await repositories.snapshot(accessOf(request), repoOf(request, request.params.model), request.params.model, request.params.revision);
    const path = request.params['*'] ?? '';
    const entries = listTree(snapshot.files, path, isSet(request.query.recursive));
    if (entries === null) throw HubErrors.HUB_ENTRY_NOT_FOUND({ repo: snapshot.repo, path }, { repoCommit: snapshot.sha });
    const offset = decodeCursor(request.query.cursor);
    const limit = request.query.limit ?? TREE_PAGE_LIMIT;
    reply.header(HUB_HEADERS.repoCommit, snapshot.sha);
    if (offset + limit < entries.length) {
      const next = new URL(request.url, originOf(request));
      next.searchParams.set('cursor', encodeCursor(offset + limit));
      reply.header('Link', `<${next.href}>; rel="next"`);
    }
    return entries.slice(offset, offset + limit);
  };
  const treeSchema = (params: typeof HubRevisionParams | typeof HubPathParams, summary: string) => ({
    config: { ability: 'ml:read' as const },
    schema: { tags, summary, params, querystring: HubTreeQuery, response: hubReplies({ 200: HubTree }) },
  });
  app.get(`${HUB_PREFIX}/api/models/:id/:model/tree/:revision`, treeSchema(HubRevisionParams, "list_repo_tree: a revision's files and directories, pages linked by `Link`"), tree);
  app.get(`${HUB_PREFIX}/api/models/:id/:model/tree/:revision/*`, treeSchema(HubPathParams, 'list_repo_tree under a directory: its files and directories, pages linked by `Link`'), tree);

  // HEAD declared with GET, not left to Fastify's HEAD route, which would answer `Content-Length: 0`.
  app.route({
    method: ['GET', 'HEAD'],
    url: `${HUB_PREFIX}/:id/:model/resolve/:revision/*`,
    config: { ability: 'ml:read' },
    schema: {
      tags,
      summary: 'hf_hub_download: a file of a revision (HEAD for its metadata), with byte ranges',
      description:
        "Every file is an LFS file: `ETag` and `X-Linked-Etag` are its SHA-256, `X-Linked-Size` its size, `X-Repo-Commit` the revision's commit sha. Served here, never redirected elsewhere (the client drops its token on the way to another origin).",
      params: HubPathParams,
      response: hubReplies({
        200: Bytes('application/octet-stream', 'The file'),
        206: Bytes('application/octet-stream', 'A byte range of the file'),
        304: Bytes('application/octet-stream', 'Not modified (If-None-Match)'),
      }),
    },
    handler: async (request, reply) => {
      const snapshot = await repositories.snapshot(accessOf(request), repoOf(request, request.params.model), request.params.model, request.params.revision);
      const file = repositories.file(snapshot, request.params['*']);
      reply.header(HUB_HEADERS.repoCommit, snapshot.sha);
      reply.header(HUB_HEADERS.linkedEtag, `"${file.sha256}"`);
      reply.header(HUB_HEADERS.linkedSize, String(file.size));
      return sendDownload(request, reply, file);
    },
  });
}
