import { Type, type Static } from 'typebox';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { PaginationQuery } from '../http/pagination-query.ts';
import { Bytes, Closed } from '../http/responses.ts';

/**
 * The package registry's API, GitLab's shapes: generic packages (any file by name and
 * version) and the ml_model packages that hold a model version's files.
 */

// --- requests ---------------------------------------------------------------------------------

const PackageType = Type.Union([Type.Literal('generic'), Type.Literal('ml_model')]);
const PackageStatus = Type.Union([Type.Literal('default'), Type.Literal('hidden')], { description: "hidden packages are left out of GitLab's UI lists" });

export const GenericFileParams = Type.Intersect([
  ProjectIdParams,
  Type.Object({
    package_name: Type.String({ minLength: 1, maxLength: 255 }),
    package_version: Type.String({ minLength: 1, maxLength: 255 }),
    file_name: Type.String({ minLength: 1, maxLength: 255 }),
  }),
]);
export const PackageParams = Type.Intersect([ProjectIdParams, Type.Object({ package_id: NumericId })]);
export const PackageFileParams = Type.Intersect([PackageParams, Type.Object({ package_file_id: NumericId })]);

export const GenericUploadQuery = Type.Object({
  status: Type.Optional(PackageStatus),
  select: Type.Optional(Type.Literal('package_file', { description: 'Answer with the stored file instead of a message' })),
});
export type GenericUploadQuery = Static<typeof GenericUploadQuery>;

export const PackagesQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    package_type: Type.Optional(PackageType),
    package_name: Type.Optional(Type.String({ maxLength: 255, description: 'Packages whose name contains this' })),
    status: Type.Optional(PackageStatus),
  }),
]);
export type PackagesQuery = Static<typeof PackagesQuery>;

// --- answers ----------------------------------------------------------------------------------

export const PackageNative = Closed(
  {
    id: Type.Integer(),
    name: Type.String(),
    version: Type.String(),
    package_type: PackageType,
    status: PackageStatus,
    created_at: Type.String({ format: 'date-time' }),
    last_downloaded_at: Type.Null({ description: 'Downloads are not tracked' }),
    tags: Type.Array(Type.String(), { maxItems: 0, description: "GitLab's package tags; Modelyard keeps none" }),
    _links: Closed({ web_path: Type.String(), delete_api_path: Type.String() }),
  },
  { description: 'A package' },
);
export type PackageNative = Static<typeof PackageNative>;

export const PackageFileNative = Closed(
  {
    id: Type.Integer(),
    package_id: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    file_name: Type.String({ description: 'The file name, or its path inside an ml_model package (weights/model.bin)' }),
    size: Type.Integer({ description: 'bytes' }),
    file_sha256: Type.String(),
  },
  { description: "A package's file" },
);
export type PackageFileNative = Static<typeof PackageFileNative>;

/** What a generic upload answers: GitLab's message, or the stored file with `select=package_file`. */
export const GenericUploadNative = Type.Union([Closed({ message: Type.Literal('201 Created') }), PackageFileNative]);
export type GenericUploadNative = Static<typeof GenericUploadNative>;

const Usage = Closed({ files: Type.Integer(), bytes: Type.Integer() });
export const StorageUsageNative = Closed({ artifacts: Usage, packages: Usage, total_bytes: Type.Integer() }, { description: "The project's stored files: run and model artifacts, and packages" });
export type StorageUsageNative = Static<typeof StorageUsageNative>;

/**
 * A stored file's bytes, as every download route answers them (src/http/download.ts): text,
 * CSV, JSON and images inline with their own media type, anything else (HTML and SVG among
 * them) as an application/octet-stream attachment. Range requests answer 206 with the part.
 */
function downloadBytes(description: string) {
  const types = ['application/octet-stream', 'text/*', 'application/json', 'image/*'];
  return { description, content: Object.assign({}, ...types.map((type) => Bytes(type, description).content)) as Record<string, { schema: ReturnType<typeof Type.String> }> };
}
export const FileBytes = downloadBytes("The file's bytes");
export const PartialFileBytes = downloadBytes('The byte range asked for; Content-Range says which');
/** A conditional download (If-None-Match with the file's SHA-256 ETag) of an unchanged file. */
export const NotModified = Type.Null({ description: 'Not modified: the file still has the ETag asked about' });
