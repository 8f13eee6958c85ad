import { Type, type Static } from 'typebox';
import { Closed } from '../../http/responses.ts';

/**
 * Container images of model versions: what a build records on a version and what the API
 * answers. Part of the registry's contract (../contract.ts re-exports it), which the web UI
 * imports, so this file imports nothing but TypeBox and the schema-only HTTP pieces.
 */

/** An image reference: an optional registry host (and port), a path of lowercase components, an optional tag. */
const REFERENCE = '^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?$';
const DIGEST = '^sha256:[0-9a-f]{64}$';
const TAG = '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$';
/** The largest image a version may record: 1 TiB (a model's weights can be large, not larger). */
export const MAX_IMAGE_SIZE = 2 ** 40;

export const RecordImageBody = Closed(
  {
    digest: Type.String({ pattern: DIGEST, description: "The image's manifest digest, `sha256:` and 64 lowercase hex digits" }),
    size: Type.Integer({ minimum: 1, maximum: MAX_IMAGE_SIZE, description: "The image's size in bytes" }),
    base: Type.String({ minLength: 1, maxLength: 255, pattern: `${REFERENCE.slice(0, -1)}(?:@sha256:[0-9a-f]{64})?$`, description: 'The base image it was built FROM (the BASE build argument)' }),
    reference: Type.String({ minLength: 1, maxLength: 255, pattern: REFERENCE, description: "Where the image is: `registry/path:tag`, or `localhost/…` in the builder's storage" }),
    tags: Type.Optional(Type.Array(Type.String({ pattern: TAG }), { maxItems: 20, uniqueItems: true, description: 'Further tags it was given' })),
    built_at: Type.Optional(Type.String({ maxLength: 40, description: 'When it was built, ISO 8601; now when absent' })),
  },
  { description: 'A container image built of the version from its image context' },
);
export type RecordImageBody = Static<typeof RecordImageBody>;

export const VersionImageNative = Closed(
  {
    id: Type.Integer(),
    version: Closed({ id: Type.Integer(), version: Type.Integer() }, { description: 'The version the image holds' }),
    digest: Type.String(),
    size: Type.Integer(),
    base: Type.String(),
    reference: Type.String(),
    tags: Type.Array(Type.String()),
    built_at: Type.String({ description: 'Built, ISO 8601' }),
    job_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The CI job that recorded it' }),
    author: Type.Union([Closed({ id: Type.Integer() }), Type.Null()]),
    created_at: Type.String({ description: 'Recorded, ISO 8601' }),
  },
  { description: 'A container image of a model version' },
);
export type VersionImageNative = Static<typeof VersionImageNative>;
