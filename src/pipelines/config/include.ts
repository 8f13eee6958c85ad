import { asMap, checkKeys, readString, type Errors } from './readers.ts';
import { errorAt, parseYaml, type MapEntry, type MapNode, type Pos, type SourceNode } from './yaml-source.ts';

/**
 * `include: - template: Name`, merged as GitLab merges includes: each included file in order,
 * then the including file, each deep-merged over the result. Maps merge key by key (a job in the
 * main file that shares a template job's name overrides only the keywords it sets, and
 * `variables:` add up); lists and plain values are replaced whole. Template nodes report their
 * errors at the include entry, with the template line in the message.
 */

export type TemplateSource = (name: string) => string | undefined;

// Far more than any real configuration; stops a template that includes itself.
const MAX_INCLUDE_DEPTH = 10;

interface TemplateRef {
  name: string;
  pos: Pos;
}

export function resolveIncludes(root: MapNode, templates: TemplateSource | undefined, errors: Errors, depth = 0): MapNode {
  const include = root.entries.find((e) => e.key === 'include');
  if (!include) return root;
  const own: MapNode = { ...root, entries: root.entries.filter((e) => e !== include) };
  if (depth >= MAX_INCLUDE_DEPTH) {
    errors.push(errorAt(include.keyPos, `include nesting is deeper than ${MAX_INCLUDE_DEPTH}`));
    return own;
  }
  let merged: MapNode = { kind: 'map', entries: [], pos: root.pos };
  for (const ref of readIncludes(include.value, errors)) {
    const text = templates?.(ref.name);
    if (text === undefined) {
      errors.push(errorAt(ref.pos, `Included template ${ref.name} does not exist`));
      continue;
    }
    const parsed = parseYaml(text, { name: ref.name, pos: ref.pos });
    errors.push(...parsed.errors);
    if (!parsed.root) continue;
    const templateRoot = asMap(parsed.root, `template ${ref.name}`, errors);
    if (templateRoot) merged = deepMerge(merged, resolveIncludes(templateRoot, templates, errors, depth + 1));
  }
  return deepMerge(merged, own);
}

function readIncludes(node: SourceNode, errors: Errors): TemplateRef[] {
  const items = node.kind === 'seq' ? node.items : [node];
  const refs: TemplateRef[] = [];
  for (const item of items) {
    if (item.kind !== 'map') {
      errors.push(errorAt(item.pos, 'include config should be a hash with template (only include:template is supported)'));
      continue;
    }
    checkKeys(item, ['template'], 'include', errors);
    const template = item.entries.find((e) => e.key === 'template');
    if (!template) {
      errors.push(errorAt(item.pos, 'include config should contain template (only include:template is supported)'));
      continue;
    }
    const name = readString(template.value, 'include:template', errors);
    if (name !== undefined) refs.push({ name, pos: template.value.pos });
  }
  return refs;
}

export function deepMerge(base: MapNode, over: MapNode): MapNode {
  const overByKey = new Map(over.entries.map((e) => [e.key, e]));
  const entries: MapEntry[] = base.entries.map((entry) => {
    const replacement = overByKey.get(entry.key);
    if (!replacement) return entry;
    if (entry.value.kind === 'map' && replacement.value.kind === 'map') {
      return { ...replacement, value: deepMerge(entry.value, replacement.value) };
    }
    return replacement;
  });
  const baseKeys = new Set(base.entries.map((e) => e.key));
  entries.push(...over.entries.filter((e) => !baseKeys.has(e.key)));
  return { kind: 'map', entries, pos: over.entries.length > 0 ? over.pos : base.pos };
}
