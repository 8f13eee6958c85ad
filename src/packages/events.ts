import { Type } from 'typebox';

/**
 * The package registry's events: name → payload. Webhook receivers read these payloads, so a
 * field once sent keeps its name and type. A change made by a CI job also carries `ci_job_id`,
 * which the outbox adds to every event.
 */
const PackageRef = { package_id: Type.Integer() };

export const PackagesEvents = {
  /** Made by the first upload to a name and version. */
  'packages.package.created': Type.Object({
    ...PackageRef,
    package_type: Type.Union([Type.Literal('generic'), Type.Literal('ml_model')]),
    name: Type.String(),
    version: Type.String(),
  }),
  /** A new file, or a new content for a file name already in the package. */
  'packages.file.uploaded': Type.Object({
    ...PackageRef,
    file_id: Type.Integer(),
    file_name: Type.String(),
    size: Type.Integer({ description: 'bytes' }),
    sha256: Type.String(),
  }),
  'packages.package.deleted': Type.Object({ ...PackageRef, name: Type.String(), version: Type.String() }),
  'packages.file.deleted': Type.Object({ ...PackageRef, file_id: Type.Integer(), file_name: Type.String() }),
} as const;
