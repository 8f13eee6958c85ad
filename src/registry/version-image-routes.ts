import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { Bytes, replies } from '../http/responses.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { packFiles } from './deterministic-tar.ts';
import { RecordImageBody, VersionImageNative, VersionParams } from './contract.ts';
import { imageContainerfile, imageContextFiles, imageRequirements, readRequirements } from './image-context.ts';
import type { VersionArchiveService } from './version-archive.ts';
import { presentVersionImage, type VersionImagesService } from './version-images-service.ts';

export interface VersionImageRouteDeps {
  archives: VersionArchiveService;
  images: VersionImagesService;
}

const tags = ['registry'];

/** A streamed tar.gz download (its length is not known before it is packed). */
function sendGzip(reply: FastifyReply, fileName: string, body: Readable) {
  reply.header('Content-Type', 'application/gzip');
  reply.header('Content-Disposition', `attachment; filename="${fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`);
  return reply.send(body);
}
const modelOf = (request: { params: { model_id: number } }) => ({ id: request.params.model_id });

/** A version's image build context, and the images built of it. */
export async function versionImageRoutes(app: App, deps: VersionImageRouteDeps): Promise<void> {
  app.route({
    method: 'GET',
    url: '/api/v4/projects/:id/ml/models/:model_id/versions/:version/image-context',
    config: { ability: 'ml:read' },
    schema: {
      tags,
      summary: "The OCI build context of the version's container image, as one tar.gz",
      description:
        "A Containerfile (FROM the `BASE` build argument: a base with python3 and python3-venv), requirements.txt (the pinned serving runtime, mlflow-skinny, and the version's own requirements), an empty wheels/ to fill with their wheels (the build installs from it, without network), and the version's files under model/. The image runs `mlflow models serve -m /model --env-manager local -h 0.0.0.0 -p 8080` as uid 10001, with a HEALTHCHECK on /ping. Readable by whoever may download the version's files.",
      params: VersionParams,
      response: replies({ 200: Bytes('application/gzip', 'A gzip-compressed tar: Containerfile, requirements.txt, wheels/, model/') }),
    },
    handler: async (request, reply) => {
      const access = accessOf(request);
      const archive = await deps.archives.describe(access, request.params.model_id, request.params.version);
      const ref = { name: archive.model, version: archive.version };
      const requirements = imageRequirements(ref, await readRequirements(archive.files));
      const containerfile = imageContainerfile({ projectId: access.project.id, model: archive.model, version: archive.version, semver: archive.semver });
      const fileName = `${archive.model}-${archive.semver}-image-context.tar.gz`;
      return sendGzip(reply, fileName, packFiles(imageContextFiles(archive.files, containerfile, requirements)));
    },
  });

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/images',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: 'The container images built of a version, newest build first', params: VersionParams, response: replies({ 200: Type.Array(VersionImageNative) }) },
    },
    async (request) => {
      const { version, rows } = await deps.images.list(accessOf(request), modelOf(request), request.params.version);
      return rows.map((row) => presentVersionImage(row, version));
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/images',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: 'Record a container image built of the version (its digest, size, base and reference)',
        description: 'A CI job that built the image context records what it built; the same digest is recorded once per version (409).',
        params: VersionParams,
        body: RecordImageBody,
        response: replies({ 201: VersionImageNative }),
      },
    },
    async (request, reply) => {
      const row = await deps.images.record(accessOf(request), modelOf(request), request.params.version, request.body);
      return reply.status(201).send(presentVersionImage(row, request.params.version));
    },
  );
}
