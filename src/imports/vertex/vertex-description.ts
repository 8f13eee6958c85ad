import type { VersionDescription } from '../fetcher.ts';

/** The Vertex version's metadata as the job's source keeps it (strings and lists of strings). */
export interface VertexVersionMetadata {
  displayName: string;
  description: string;
  versionDescription: string;
  /** `key=value` */
  labels: string[];
  versionAliases: string[];
  /** The container spec as JSON ("" when the version has none). */
  containerSpec: string;
  artifactUri: string;
  versionId: string;
  versionCreateTime: string;
}

const LABEL = /^[\w .\-/:]{1,255}$/;
const MAX_TAG_VALUE = 5000;

/**
 * What a Vertex version says about itself, on the registry version: its description (the
 * model's and the version's), its labels as scoped labels (`key::value`, one per key, as Vertex
 * labels are), and the rest as `vertex.*` tags: display name, version id and aliases, artifact
 * URI, creation time, the container spec whole (JSON) and its image, each label in full.
 */
export function describeVertexVersion(meta: VertexVersionMetadata, maxDescription: number): VersionDescription {
  const description = [meta.description, meta.versionDescription].filter((part) => part.trim() !== '').join('\n\n');
  const labels: string[] = [];
  const tags: Record<string, string> = {
    'vertex.display_name': meta.displayName,
    'vertex.version_id': meta.versionId,
    'vertex.artifact_uri': meta.artifactUri,
  };
  if (meta.versionAliases.length > 0) tags['vertex.version_aliases'] = meta.versionAliases.join(',');
  if (meta.versionCreateTime !== '') tags['vertex.version_create_time'] = meta.versionCreateTime;
  for (const pair of meta.labels) {
    const at = pair.indexOf('=');
    const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
    tags[`vertex.label.${key}`] = value;
    const label = `${key}::${value}`;
    if (value !== '' && LABEL.test(label)) labels.push(label);
  }
  if (meta.containerSpec !== '') {
    tags['vertex.container_spec'] = meta.containerSpec.slice(0, MAX_TAG_VALUE);
    const image = (JSON.parse(meta.containerSpec) as { imageUri?: unknown }).imageUri;
    if (typeof image === 'string') tags['vertex.container_image'] = image;
  }
  return { description: description.slice(0, maxDescription), license: null, labels, tags };
}
