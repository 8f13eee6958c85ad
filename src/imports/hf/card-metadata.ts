import { parse } from 'yaml';
import type { VersionDescription } from '../fetcher.ts';

/**
 * A Hugging Face model card: README.md, YAML front matter between `---` lines, then Markdown.
 * The Markdown becomes the version's description (rendered sanitized, as every card is); the
 * metadata the Hub shows becomes scoped labels (license, pipeline, library: one per scope) and
 * `huggingface.*` tags (the values in full, lists comma-joined); the repository's tags become
 * plain labels where they are valid ones.
 */
const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const METADATA = ['license', 'pipeline_tag', 'library_name', 'base_model', 'datasets', 'tags'] as const;
const SCOPED_LABELS: Record<string, string> = { license: 'license', pipeline_tag: 'pipeline', library_name: 'library' };
const LABEL = /^[\w .\-/:]{1,255}$/;
/** More labels than this from one card would bury the ones people set. */
const MAX_PLAIN_LABELS = 20;
const MAX_TAG_VALUE = 5000;

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list
    .filter((item): item is string | number => typeof item === 'string' || typeof item === 'number')
    .map((item) => String(item).trim())
    .filter((item) => item !== '');
}

function frontMatter(text: string): { metadata: Record<string, unknown>; body: string } {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { metadata: {}, body: text };
  let metadata: unknown;
  try {
    metadata = parse(match[1]!, { maxAliasCount: 10 });
  } catch {
    metadata = {};
  }
  const body = text.slice(match[0].length);
  return { metadata: metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : {}, body };
}

const validLabel = (label: string) => LABEL.test(label) && !label.startsWith('::') && !label.endsWith('::');

export function describeModelCard(readme: string | null, maxDescription: number): VersionDescription {
  if (readme === null) return { description: '', license: null, labels: [], tags: {} };
  const { metadata, body } = frontMatter(readme);
  const tags: Record<string, string> = {};
  const labels: string[] = [];
  for (const key of METADATA) {
    const values = strings(metadata[key]);
    if (values.length === 0) continue;
    tags[`huggingface.${key}`] = values.join(',').slice(0, MAX_TAG_VALUE);
    const scope = SCOPED_LABELS[key];
    if (scope !== undefined && validLabel(`${scope}::${values[0]}`)) labels.push(`${scope}::${values[0]}`);
  }
  for (const tag of strings(metadata.tags).slice(0, MAX_PLAIN_LABELS)) if (validLabel(tag) && !tag.includes('::') && !labels.includes(tag)) labels.push(tag);
  const license = strings(metadata.license)[0] ?? null;
  return { description: body.trim().slice(0, maxDescription), license, labels, tags };
}
