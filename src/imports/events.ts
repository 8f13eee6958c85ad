import { Type } from 'typebox';

/**
 * Import jobs' events: name → payload. The version an import makes sends the registry's own
 * `registry.version.created` (and its label and tag events) as any version does; these say
 * when the job was asked for and how it ended. No source credential is ever in a payload.
 */
const JobRef = { job_id: Type.Integer(), kind: Type.String(), model_name: Type.String() };

export const ImportEvents = {
  'imports.job.created': Type.Object({ ...JobRef, source_key: Type.String({ description: 'The pinned source: endpoint, repository, commit and patterns' }) }),
  'imports.job.finished': Type.Object({
    ...JobRef,
    state: Type.Enum(['succeeded', 'failed', 'canceled']),
    version_id: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
  }),
} as const;
