import { defineErrors } from '../shared/errors.ts';

/**
 * A `models:/` URI that names a registered model's version, as MLflow parses it
 * (`_parse_model_uri`): `models:/<name>/<version>`, `models:/<name>/latest`,
 * `models:/<name>/<stage>` or `models:/<name>@<alias>`. `models:/<model_id>` (one segment, no
 * `@`) names a logged model instead and is not one of these.
 *
 * MLflow's `copy_model_version` registers a version with such a source; the server resolves it
 * to the version it names, in the same registry, and keeps `models:/<name>/<version>`.
 */
/** Refusals of such a source, in MLflow's words. */
export const CopiedSourceErrors = defineErrors('registry', {
  FOREIGN_REGISTRY_SOURCE: {
    kind: 'invalid',
    message: ({ source }: { source: string }) => `Invalid model version source: '${source.slice(0, 500)}'. Registered model sources must use the active model registry.`,
  },
  COPIED_SOURCE_MISMATCH: {
    kind: 'invalid',
    message: ({ source }: { source: string }) => `Invalid model version source: '${source.slice(0, 500)}'. The run_id and model_id request parameters must match the referenced model version.`,
  },
  NO_VERSION_TO_COPY: {
    kind: 'not_found',
    message: ({ name, stage }: { name: string; stage?: string }) => `No versions of model with name '${name}'${stage === undefined ? '' : ` and stage '${stage}'`} found`,
  },
});

export type RegisteredVersionUri = { name: string; version: number } | { name: string; alias: string } | { name: string; stage: string } | { name: string; latest: true };

/** The named version, or null when `source` is not a `models:/` URI of a registered model. */
export function registeredVersionUriOf(source: string): RegisteredVersionUri | null {
  const match = /^models:(.*)$/i.exec(source);
  if (!match) return null;
  const rest = match[1]!;
  // models://<registry>/…: another registry, which this server never reads.
  if (rest.startsWith('//')) throw CopiedSourceErrors.FOREIGN_REGISTRY_SOURCE({ source });
  if (!rest.startsWith('/') || rest.length <= 1) return null;
  const parts = rest.slice(1).split('/');
  if (parts.length > 2 || parts[0]!.trim() === '') return null;
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (suffix.trim() === '') return null;
    if (/^\d{1,9}$/.test(suffix)) return { name, version: Number(suffix) };
    if (suffix.toLowerCase() === 'latest') return { name, latest: true };
    return { name, stage: suffix };
  }
  const at = parts[0]!.lastIndexOf('@');
  if (at < 0) return null;
  const alias = parts[0]!.slice(at + 1);
  return alias.trim() === '' ? null : { name: parts[0]!.slice(0, at), alias };
}

/** The canonical form MLflow stores for a copied version's source. */
export function registeredVersionUri(name: string, version: number): string {
  return `models:/${name}/${version}`;
}
