import { Type } from 'typebox';
import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import { accessOf } from '../auth/request-context.ts';
import { sendDownload } from '../http/download.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { acceptRawBodies, uploadOf } from '../http/raw-body.ts';
import { NoContent, replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import {
  FileBytes,
  GenericFileParams,
  GenericUploadNative,
  GenericUploadQuery,
  NotModified,
  PackageFileNative,
  PackageFileParams,
  PackageNative,
  PackageParams,
  PackagesQuery,
  PartialFileBytes,
  StorageUsageNative,
} from './contract.ts';
import type { PackagesService } from './packages-service.ts';
import { presentPackage, presentPackageFile, presentStorageUsage } from './present.ts';
import { storageUsage } from './storage-usage.ts';

const tags = ['packages'];

/** GitLab's generic packages API, so its curl recipes and CI templates work unchanged. */
export async function packageRoutes(app: App, deps: { packages: PackagesService; artifacts: ArtifactsService }): Promise<void> {
  const { packages } = deps;

  await app.register(async (raw: App) => {
    acceptRawBodies(raw);
    raw.put(
      '/api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name',
      {
        config: { ability: 'packages:write' },
        schema: {
          tags,
          summary: 'Upload a file to a generic package (streamed)',
          params: GenericFileParams,
          querystring: GenericUploadQuery,
          response: replies({ 201: GenericUploadNative }),
        },
      },
      async (request, reply) => {
        const p = request.params;
        const upload = uploadOf(request);
        const { file } = await packages.upload(
          accessOf(request),
          { type: 'generic', name: p.package_name, version: p.package_version, fileName: p.file_name, status: request.query.status },
          upload.body,
          upload.contentLength,
        );
        return reply.status(201).send(request.query.select === 'package_file' ? presentPackageFile(file) : { message: '201 Created' as const });
      },
    );
  });

  // HEAD declared with GET, not left to Fastify's HEAD route, which would answer `Content-Length: 0`.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name',
    config: { ability: 'packages:read' },
    schema: { tags, summary: 'Download a file of a generic package (HEAD for its headers)', params: GenericFileParams, response: replies({ 200: FileBytes, 206: PartialFileBytes, 304: NotModified }) },
    handler: async (request, reply) => {
      const p = request.params;
      return sendDownload(request, reply, await packages.genericFile(accessOf(request), p.package_name, p.package_version, p.file_name));
    },
  });

  app.get(
    '/api/v4/projects/:id/packages',
    {
      config: { ability: 'packages:read' },
      schema: { tags, summary: "List a project's packages", params: ProjectIdParams, querystring: PackagesQuery, response: replies({ 200: Type.Array(PackageNative) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await packages.list(accessOf(request), { ...window, packageType: request.query.package_type, packageName: request.query.package_name, status: request.query.status });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((row) => presentPackage(row, app.publicUrl)) });
    },
  );

  app.get(
    '/api/v4/projects/:id/packages/:package_id',
    { config: { ability: 'packages:read' }, schema: { tags, summary: 'One package', params: PackageParams, response: replies({ 200: PackageNative }) } },
    async (request) => presentPackage(await packages.getPackage(accessOf(request), request.params.package_id), app.publicUrl),
  );

  app.get(
    '/api/v4/projects/:id/packages/:package_id/package_files',
    {
      config: { ability: 'packages:read' },
      schema: { tags, summary: "A package's files", params: PackageParams, querystring: PaginationQuery, response: replies({ 200: Type.Array(PackageFileNative) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await packages.listFiles(accessOf(request), request.params.package_id, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentPackageFile) });
    },
  );

  app.delete(
    '/api/v4/projects/:id/packages/:package_id',
    { config: { ability: 'packages:write' }, schema: { tags, summary: 'Delete a package and its files', params: PackageParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await packages.deletePackage(accessOf(request), request.params.package_id);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v4/projects/:id/packages/:package_id/package_files/:package_file_id',
    { config: { ability: 'packages:write' }, schema: { tags, summary: 'Delete one file of a package', params: PackageFileParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await packages.deleteFile(accessOf(request), request.params.package_id, request.params.package_file_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/storage',
    { config: { ability: 'packages:read' }, schema: { tags, summary: "The project's storage usage", params: ProjectIdParams, response: replies({ 200: StorageUsageNative }) } },
    async (request) => presentStorageUsage(await storageUsage(deps, accessOf(request).project.id)),
  );
}
