import { Type, type Static } from 'typebox';
import type { ArtifactFormat, ArtifactType } from './job-response.ts';

/**
 * Artifacts: after the script the runner uploads each archive as a multipart form (the file in
 * the `file` field, streamed, chunked) to `POST /api/v4/jobs/:id/artifacts` with what it is in
 * the query; `GET /api/v4/jobs/:id/artifacts` gives a dependency's `archive` back as a zip.
 */
export const ArtifactUploadQuery = Type.Object(
  {
    artifact_type: Type.Optional(Type.String({ maxLength: 50 })),
    artifact_format: Type.Optional(Type.String({ maxLength: 50 })),
    expire_in: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: true },
);
export type ArtifactUploadQuery = Static<typeof ArtifactUploadQuery>;

export const ARTIFACT_FILE_FIELD = 'file';

/** GitLab's names for the report archives (`artifacts:reports`). */
export const REPORT_FILE_NAMES: Record<Exclude<ArtifactType, 'archive'>, string> = { junit: 'junit.xml.gz', dotenv: '.env.gz' };
export const REPORT_FORMAT: ArtifactFormat = 'gzip';

/** GitLab Runner's archive name: the artifact's `name` (default `artifacts`) and the format's extension. */
export function artifactFilename(name: string, format: ArtifactFormat): string {
  const base = name.split('/').pop() || 'artifacts';
  return format === 'zip' ? `${base}.zip` : `${base}.gz`;
}
