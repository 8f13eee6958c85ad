import { Type } from 'typebox';
import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import { sendDownload } from '../http/download.ts';
import { acceptRawBodies, uploadOf } from '../http/raw-body.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import type { PackageFileRow, PackageRow, PackagesService } from './packages-service.ts';

const GenericParams = Type.Intersect([
  ProjectIdParams,
  Type.Object({ package_name: Type.String({ minLength: 1, maxLength: 255 }), package_version: Type.String({ minLength: 1, maxLength: 255 }), file_name: Type.String({ minLength: 1, maxLength: 255 }) }),
]);
const PackageParams = Type.Intersect([ProjectIdParams, Type.Object({ package_id: NumericId })]);

export function presentPackage(row: PackageRow, publicUrl: string) {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    package_type: row.package_type,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    last_downloaded_at: null,
    tags: [],
    _links: { web_path: `/${row.project_id}/-/packages/${row.id}`, delete_api_path: `${publicUrl}/api/v4/projects/${row.project_id}/packages/${row.id}` },
  };
}

export function presentPackageFile(row: PackageFileRow) {
  return {
    id: row.id,
    package_id: row.package_id,
    created_at: new Date(row.created_at).toISOString(),
    file_name: row.file_name,
    size: row.size,
    file_sha256: row.sha256,
  };
}

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
          tags: ['packages'],
          summary: 'Upload a file to a generic package (streamed)',
          params: GenericParams,
          querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('hidden')])), select: Type.Optional(Type.Literal('package_file')) }),
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
        return reply.status(201).send(request.query.select === 'package_file' ? presentPackageFile(file) : { message: '201 Created' });
      },
    );
  });

  app.get(
    '/api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name',
    { config: { ability: 'packages:read' }, schema: { tags: ['packages'], summary: 'Download a file of a generic package', params: GenericParams } },
    async (request, reply) => {
      const p = request.params;
      const pkg = await packages.findPackage(accessOf(request), 'generic', p.package_name, p.package_version);
      return sendDownload(request, reply, await packages.fileOf(pkg, p.file_name));
    },
  );

  app.get(
    '/api/v4/projects/:id/packages',
    {
      config: { ability: 'packages:read' },
      schema: {
        tags: ['packages'],
        summary: "List a project's packages",
        params: ProjectIdParams,
        querystring: Type.Intersect([
          PaginationQuery,
          Type.Object({
            package_type: Type.Optional(Type.Union([Type.Literal('generic'), Type.Literal('ml_model')])),
            package_name: Type.Optional(Type.String({ maxLength: 255 })),
            status: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('hidden')])),
          }),
        ]),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await packages.list(accessOf(request), { ...window, packageType: request.query.package_type, packageName: request.query.package_name, status: request.query.status });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((row) => presentPackage(row, app.publicUrl)) });
    },
  );

  app.get('/api/v4/projects/:id/packages/:package_id', { config: { ability: 'packages:read' }, schema: { tags: ['packages'], summary: 'One package', params: PackageParams } }, async (request) =>
    presentPackage(await packages.getPackage(accessOf(request), request.params.package_id), app.publicUrl),
  );

  app.get(
    '/api/v4/projects/:id/packages/:package_id/package_files',
    { config: { ability: 'packages:read' }, schema: { tags: ['packages'], summary: "A package's files", params: PackageParams, querystring: PaginationQuery } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const pkg = await packages.getPackage(accessOf(request), request.params.package_id);
      const page = await packages.listFiles(pkg, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentPackageFile) });
    },
  );

  app.delete('/api/v4/projects/:id/packages/:package_id', { config: { ability: 'packages:write' }, schema: { tags: ['packages'], summary: 'Delete a package and its files', params: PackageParams } }, async (request, reply) => {
    await packages.deletePackage(accessOf(request), request.params.package_id);
    return reply.status(204).send();
  });

  app.delete(
    '/api/v4/projects/:id/packages/:package_id/package_files/:package_file_id',
    { config: { ability: 'packages:write' }, schema: { tags: ['packages'], summary: 'Delete one file of a package', params: Type.Intersect([PackageParams, Type.Object({ package_file_id: NumericId })]) } },
    async (request, reply) => {
      await packages.deleteFile(accessOf(request), request.params.package_id, request.params.package_file_id);
      return reply.status(204).send();
    },
  );

  app.get('/api/v4/projects/:id/storage', { config: { ability: 'packages:read' }, schema: { tags: ['packages'], summary: "The project's storage usage", params: ProjectIdParams } }, async (request) => {
    const projectId = accessOf(request).project.id;
    const [artifacts, pkgs] = await Promise.all([deps.artifacts.usage(projectId), packages.usage(projectId)]);
    return { artifacts, packages: pkgs, total_bytes: artifacts.bytes + pkgs.bytes };
  });
}
