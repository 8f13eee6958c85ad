import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { Bytes, replies } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import type { PreparedArchive, VersionArchiveService } from './version-archive.ts';

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
export async function versionArchiveRoutes(app: App, deps: { archives: VersionArchiveService }): Promise<void> {
  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/archive',
    {
      config: { ability: 'ml:read' },
      schema: {
        tags: ['registry'],
        summary: "A version's files as one tar.gz (the MLflow model directory, or its uploaded files)",
        description:
          'Deterministic: the same files give the same bytes (sorted entries, mtime 0, owner 0:0), so the ETag — the SHA-256 of the archive — is stable and `If-None-Match` answers 304. Streamed; serving agents download it and verify the SHA-256.',
        params: VersionArchiveParams,
        response: replies({ 200: Bytes('application/gzip', "A gzip-compressed tar of the version's files"), 304: Bytes('application/gzip', 'Not modified (If-None-Match)') }),
      },
    },
    async (request, reply) => sendArchive(request, reply, await deps.archives.prepare(accessOf(request), request.params.model_id, request.params.version)),
  );
}
