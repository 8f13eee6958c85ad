import { Type, type Static } from 'typebox';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { Closed } from '../http/responses.ts';

/**
 * Resumable multipart uploads of package files: create a session for a file (its size and
 * SHA-256 declared), PUT its parts (each checked by its SHA-256 or CRC-32), list what arrived, complete or
 * abort. Limits are in upload-limits.ts; docs/packages.md shows the protocol with curl.
 */

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, 64 lowercase hex digits' });

export const CreateUploadBody = Type.Object(
  {
    size: Type.Integer({ minimum: 1, maximum: 2 ** 50, description: "The whole file's size in bytes" }),
    sha256: Type.Optional({ ...Sha256, description: "The whole file's SHA-256, if known now (else given at completion): completion refuses a file that does not match" }),
    part_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 50, description: 'Bytes in every part but the last (default 16 MiB, or more for files of over 10,000 such parts)' })),
    status: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('hidden')], { description: 'The package status, as `?status=` of a single upload' })),
  },
  { additionalProperties: false },
);
export type CreateUploadBody = Static<typeof CreateUploadBody>;

export const CreateVersionUploadBody = Type.Object(
  {
    file_name: Type.String({ minLength: 1, maxLength: 1024, description: 'The file, with directories (weights/model.bin), as the path of a version file PUT' }),
    size: CreateUploadBody.properties.size,
    sha256: CreateUploadBody.properties.sha256,
    part_size: CreateUploadBody.properties.part_size,
  },
  { additionalProperties: false },
);
export type CreateVersionUploadBody = Static<typeof CreateVersionUploadBody>;

export const CompleteUploadBody = Type.Object(
  { sha256: Type.Optional({ ...Sha256, description: "The whole file's SHA-256, when it was not declared at creation (a client that hashes while it sends)" }) },
  { additionalProperties: false },
);
export type CompleteUploadBody = Static<typeof CompleteUploadBody>;

export const UploadParams = Type.Intersect([ProjectIdParams, Type.Object({ upload_id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) })]);
export const VersionUploadParams = Type.Intersect([ProjectIdParams, Type.Object({ model_version_id: NumericId })]);
export const UploadPartParams = Type.Intersect([UploadParams, Type.Object({ part_number: Type.Integer({ minimum: 1, maximum: 10_000 }) })]);

export const UploadedPart = Closed({ part_number: Type.Integer(), size: Type.Integer(), sha256: Type.String() }, { description: 'A part the server accepted' });
export type UploadedPart = Static<typeof UploadedPart>;

export const ReceivedPart = Closed(
  {
    ...UploadedPart.properties,
    crc32: Type.String({
      pattern: '^[0-9a-f]{8}$',
      description: "The CRC-32 (IEEE, as zlib's) of the bytes that arrived, in 8 hex digits: a client that declared no checksum compares it and sends the part again if it differs",
    }),
  },
  { description: 'The part just accepted' },
);
export type ReceivedPart = Static<typeof ReceivedPart>;

export const PackageUploadNative = Closed(
  {
    id: Type.String({ description: 'The upload id, for its parts, its completion or its abort' }),
    package_type: Type.Union([Type.Literal('generic'), Type.Literal('ml_model')]),
    package_name: Type.String(),
    package_version: Type.String(),
    file_name: Type.String(),
    size: Type.Integer(),
    sha256: Type.Union([Type.String(), Type.Null()], { description: 'The declared SHA-256 (null until completion declares it)' }),
    part_size: Type.Integer({ description: 'Every part but the last is exactly this long' }),
    part_count: Type.Integer(),
    parts: Type.Array(UploadedPart, { description: 'The parts received so far, by number: a resumed upload sends only the others' }),
    created_at: Type.String({ format: 'date-time' }),
    expires_at: Type.String({ format: 'date-time', description: 'After this, the upload and its parts are removed' }),
  },
  { description: 'A multipart upload of a package file, in progress' },
);
export type PackageUploadNative = Static<typeof PackageUploadNative>;
