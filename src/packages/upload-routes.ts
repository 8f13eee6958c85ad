import { accessOf } from '../auth/request-context.ts';
import { acceptRawBodies, uploadOf } from '../http/raw-body.ts';
import { NoContent, replies } from '../http/responses.ts';
import { type App } from '../http/types.ts';
import { GenericFileParams, PackageFileNative } from './contract.ts';
import type { PackageUploadPartRow, PackageUploadRow, PackageUploads, ReceivedPart as ReceivedPartRow } from './package-uploads.ts';
import { partCount } from './package-uploads.ts';
import { partChecksOf } from './part-digest.ts';
import { presentPackageFile } from './present.ts';
import { noBodyIsEmpty } from '../http/no-body.ts';
import {
  CompleteUploadBody,
  CreateUploadBody,
  CreateVersionUploadBody,
  PackageUploadNative,
  ReceivedPart,
  UploadParams,
  UploadPartParams,
  VersionUploadParams,
  type UploadedPart as UploadedPartNative,
} from './upload-contract.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import type { PackageType, UploadTarget } from './packages-service.ts';

const tags = ['packages'];

const presentPart = (part: PackageUploadPartRow): UploadedPartNative => ({ part_number: part.part_number, size: part.size, sha256: part.sha256 });
const presentReceivedPart = (part: ReceivedPartRow): ReceivedPart => ({ ...presentPart(part), crc32: part.crc32 });

export function presentUpload(upload: PackageUploadRow, parts: PackageUploadPartRow[]): PackageUploadNative {
  return {
    id: upload.id,
    package_type: upload.package_type,
    package_name: upload.package_name,
    package_version: upload.package_version,
    file_name: upload.file_name,
    size: upload.size,
    sha256: upload.sha256,
    part_size: upload.part_size,
    part_count: partCount(upload),
    parts: parts.map(presentPart),
    created_at: new Date(upload.created_at).toISOString(),
    expires_at: new Date(upload.expires_at).toISOString(),
  };
}

/** Where a version's file goes (registry/version-files.ts): its model's ml_model package. */
export type VersionTarget = (access: ProjectAccess, versionId: number, fileName: string) => Promise<UploadTarget>;

/** Resumable multipart uploads of package files (package-uploads.ts; the protocol in docs/packages.md). */
export async function packageUploadRoutes(app: App, deps: { uploads: PackageUploads; versionTarget: VersionTarget }): Promise<void> {
  const { uploads } = deps;

  app.post(
    '/api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name/uploads',
    {
      config: { ability: 'packages:write' },
      schema: { tags, summary: 'Start a resumable multipart upload of a generic package file', params: GenericFileParams, body: CreateUploadBody, response: replies({ 201: PackageUploadNative }) },
    },
    async (request, reply) => {
      const p = request.params;
      const target = { type: 'generic' as const, name: p.package_name, version: p.package_version, fileName: p.file_name, status: request.body.status };
      const upload = await uploads.create(accessOf(request), target, { size: request.body.size, sha256: request.body.sha256, partSize: request.body.part_size });
      return reply.status(201).send(presentUpload(upload, []));
    },
  );

  app.post(
    '/api/v4/projects/:id/packages/ml_models/:model_version_id/uploads',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags: ['registry'],
        summary: "Start a resumable multipart upload of a file (with directories) of a version's ml_model package",
        description: 'The parts, the listing, the completion and the abort then go to `/packages/ml_models/uploads/:upload_id`, with the same ability as a version file PUT.',
        params: VersionUploadParams,
        body: CreateVersionUploadBody,
        response: replies({ 201: PackageUploadNative }),
      },
    },
    async (request, reply) => {
      const access = accessOf(request);
      const target = await deps.versionTarget(access, request.params.model_version_id, request.body.file_name);
      const upload = await uploads.create(access, target, { size: request.body.size, sha256: request.body.sha256, partSize: request.body.part_size });
      return reply.status(201).send(presentUpload(upload, []));
    },
  );

  await sessionRoutes(app, uploads, { type: 'generic', url: '/api/v4/projects/:id/packages/uploads/:upload_id', ability: 'packages:write', tags });
  await sessionRoutes(app, uploads, { type: 'ml_model', url: '/api/v4/projects/:id/packages/ml_models/uploads/:upload_id', ability: 'ml:write', tags: ['registry'] });
}

/**
 * The routes of the sessions of one package type: generic files under the packages' ability,
 * a version's files under the registry's (a registry-scoped token uploads a version's files).
 * A session of the other type is not found here.
 */
async function sessionRoutes(app: App, uploads: PackageUploads, scope: { type: PackageType; url: string; ability: 'packages:write' | 'ml:write'; tags: string[] }): Promise<void> {
  const { type, url, ability } = scope;
  app.get(
    url,
    {
      config: { ability },
      schema: { tags: scope.tags, summary: 'A multipart upload in progress, with the parts received so far (to resume it)', params: UploadParams, response: replies({ 200: PackageUploadNative }) },
    },
    async (request) => {
      const upload = await uploads.get(accessOf(request), request.params.upload_id, type);
      return presentUpload(upload, await uploads.parts(upload.id));
    },
  );

  await app.register(async (raw: App) => {
    acceptRawBodies(raw);
    raw.put(
      `${url}/parts/:part_number`,
      {
        config: { ability },
        schema: {
          tags: scope.tags,
          summary: 'Upload one part (streamed), optionally with its SHA-256 (X-Content-SHA256 in hex, or Content-Digest: sha-256) or CRC-32 (X-Content-CRC32)',
          description:
            'Every part but the last is exactly `part_size` bytes. Sending a part again replaces it. A part that does not match a checksum sent with it is refused; the answer carries its CRC-32 for a client that checks afterwards.',
          params: UploadPartParams,
          response: replies({ 200: ReceivedPart }),
        },
      },
      async (request) => {
        const declared = partChecksOf(request.headers);
        const body = uploadOf(request);
        return presentReceivedPart(await uploads.putPart(accessOf(request), request.params.upload_id, type, request.params.part_number, body.body, body.contentLength, declared));
      },
    );
  });

  app.post(
    `${url}/complete`,
    {
      config: { ability },
      preValidation: noBodyIsEmpty,
      schema: {
        tags: scope.tags,
        summary: 'Complete a multipart upload: the parts become the file, once its SHA-256 matches the declared one',
        params: UploadParams,
        body: CompleteUploadBody,
        response: replies({ 201: PackageFileNative }),
      },
    },
    async (request, reply) => reply.status(201).send(presentPackageFile((await uploads.complete(accessOf(request), request.params.upload_id, type, request.body.sha256)).file)),
  );

  app.delete(
    url,
    { config: { ability }, schema: { tags: scope.tags, summary: 'Abort a multipart upload and drop its parts', params: UploadParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await uploads.abort(accessOf(request), request.params.upload_id, type);
      return reply.status(204).send(null);
    },
  );
}
