import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { Bytes, replies } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import type { PreparedArchive, VersionArchiveService } from './version-archive.ts';
import { anonymousCaller } from '../auth/caller.ts';
import { serverAccess, type ProjectFacts } from '../auth/policy.ts';
import type { ArchiveLinks, ArchiveRef } from './archive-links.ts';
import { VersionArchiveErrors } from './version-archive-errors.ts';

export const VersionArchiveParams = Type.Intersect([ProjectIdParams, Type.Object({ model_id: NumericId, version: Type.Integer({ minimum: 1 }) })]);
export type VersionArchiveParams = Static<typeof VersionArchiveParams>;

/** RFC 6266: an ASCII name for old clients, the exact one (RFC 5987) for the others. */
const attachment = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** The archive with its ETag (its SHA-256) and length, or a 304 when the caller has it already. */
function sendArchive(request: FastifyRequest, reply: FastifyReply, archive: PreparedArchive) {
  const etag = `"${archive.sha256}"`;
  reply.header('ETag', etag);
  reply.header('Content-Disposition', attachment(archive.fileName));
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  reply.header('Content-Type', 'application/gzip');
  reply.header('Content-Length', String(archive.size));
  if (request.method === 'HEAD') return reply.send();
  return reply.send(archive.open());
}

/** `GET …/versions/:version/archive`: the version's files as one tar.gz, for agents and people alike. */
export const SignedArchiveParams = Type.Object({ project_id: NumericId, model_id: NumericId, version: Type.Integer({ minimum: 1 }) });
export const SignedArchiveQuery = Type.Object({ environment: NumericId, signature: Type.String({ maxLength: 128 }) });

export interface VersionArchiveRouteDeps {
  archives: VersionArchiveService;
  links: ArchiveLinks;
  projectFacts: (projectId: number) => Promise<ProjectFacts>;
  /** Whether the environment (of the version's project) serves the version now: what keeps a signed link good. */
  environmentServes: (environmentId: number, ref: ArchiveRef) => Promise<boolean>;
}

export async function versionArchiveRoutes(app: App, deps: VersionArchiveRouteDeps): Promise<void> {
  // HEAD declared with GET, not left to Fastify's HEAD route, which would answer `Content-Length: 0`.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v4/signed/archives/:project_id/:model_id/:version/model.tar.gz',
    config: { ability: 'archive:signed-link' },
    schema: {
      tags: ['registry'],
      summary: "A version's files as one tar.gz, by a signed link for one environment (what KServe's storage initializer downloads)",
      description:
        'No credential but the link: its `signature` (HMAC-SHA256 over the version and the `environment`, with a key derived from the secret keyring). Good while that environment, bound to a Kubernetes target, serves the version in its current or serving deployment. An altered or foreign link, or one whose environment no longer serves the version, answers 403 and reveals nothing.',
      params: SignedArchiveParams,
      querystring: SignedArchiveQuery,
      response: replies({ 200: Bytes('application/gzip', "A gzip-compressed tar of the version's files"), 304: Bytes('application/gzip', 'Not modified (If-None-Match)') }),
    },
    handler: async (request, reply) => {
      const { project_id: projectId, model_id: modelId, version } = request.params;
      const ref = { projectId, modelId, version };
      const { environment, signature } = request.query;
      if (!deps.links.verify(ref, environment, signature) || !(await deps.environmentServes(environment, ref))) throw VersionArchiveErrors.ARCHIVE_LINK_INVALID();
      const access = serverAccess(await deps.projectFacts(projectId), anonymousCaller(request.ip));
      return sendArchive(request, reply, await deps.archives.prepare(access, modelId, version));
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v4/projects/:id/ml/models/:model_id/versions/:version/archive',
    config: { ability: 'ml:read' },
    schema: {
      tags: ['registry'],
      summary: "A version's files as one tar.gz (the MLflow model directory, or its uploaded files)",
      description:
        'Deterministic: the same files give the same bytes (sorted entries, mtime 0, owner 0:0), so the ETag — the SHA-256 of the archive — is stable and `If-None-Match` answers 304. Streamed; serving agents download it and verify the SHA-256.',
      params: VersionArchiveParams,
      response: replies({ 200: Bytes('application/gzip', "A gzip-compressed tar of the version's files"), 304: Bytes('application/gzip', 'Not modified (If-None-Match)') }),
    },
    handler: async (request, reply) => sendArchive(request, reply, await deps.archives.prepare(accessOf(request), request.params.model_id, request.params.version)),
  });
}
