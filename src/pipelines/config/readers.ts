import type { ConfigError } from './types.ts';
import { errorAt, type MapNode, type ScalarNode, type SourceNode } from './yaml-source.ts';

/**
 * Typed reads of located YAML nodes. Each reader records an error in GitLab's wording
 * (`train:retry config should be ...`) and returns undefined, so the compiler can carry on and
 * report every problem of a file at once.
 */
export type Errors = ConfigError[];

/** Reads a keyword only when it is present. */
export function optional<T>(node: SourceNode | undefined, read: (node: SourceNode) => T | undefined): T | undefined {
  return node === undefined ? undefined : read(node);
}

/** A keyword's value; an empty one (`image:`) counts as absent, as in GitLab. */
export function keywordValue(map: MapNode, key: string): SourceNode | undefined {
  const value = map.entries.find((e) => e.key === key)?.value;
  return value?.kind === 'scalar' && value.value === null ? undefined : value;
}

export function asMap(node: SourceNode, what: string, errors: Errors): MapNode | undefined {
  if (node.kind === 'map') return node;
  errors.push(errorAt(node.pos, `${what} config should be a hash`));
  return undefined;
}

/** Records one error per key outside `allowed`, each at the key's own line. */
export function checkKeys(map: MapNode, allowed: readonly string[], what: string, errors: Errors): void {
  for (const entry of map.entries) {
    if (!allowed.includes(entry.key)) errors.push(errorAt(entry.keyPos, `${what} config contains unknown keys: ${entry.key}`));
  }
}

/** Strings, and numbers or booleans as written; what GitLab accepts where a string is expected. */
export function scalarText(node: ScalarNode): string | undefined {
  if (node.value === null) return undefined;
  if (typeof node.value === 'number') return node.source ?? String(node.value);
  return String(node.value);
}

export function readString(node: SourceNode, what: string, errors: Errors): string | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') return node.value;
  errors.push(errorAt(node.pos, `${what} config should be a string`));
  return undefined;
}

export function readOneOf<T extends string>(node: SourceNode, allowed: readonly T[], what: string, errors: Errors): T | undefined {
  const value = node.kind === 'scalar' ? node.value : undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  errors.push(errorAt(node.pos, `${what} config should be one of: ${allowed.join(', ')}`));
  return undefined;
}

export function readBoolean(node: SourceNode, what: string, errors: Errors): boolean | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  errors.push(errorAt(node.pos, `${what} config should be a boolean value`));
  return undefined;
}

export function readInteger(node: SourceNode, min: number, max: number, what: string, errors: Errors): number | undefined {
  const value = node.kind === 'scalar' ? node.value : undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  errors.push(errorAt(node.pos, `${what} config should be an integer from ${min} to ${max}`));
  return undefined;
}

export function readStringArray(node: SourceNode, what: string, errors: Errors): string[] | undefined {
  if (node.kind === 'seq' && node.items.every((item) => item.kind === 'scalar' && typeof item.value === 'string')) {
    return node.items.map((item) => String((item as ScalarNode).value));
  }
  errors.push(errorAt(node.pos, `${what} config should be an array of strings`));
  return undefined;
}

// GitLab flattens nested script arrays (they come from YAML anchors) up to ten levels.
const MAX_SCRIPT_NESTING = 10;

/** A script: a string, or an array of strings and nested arrays of strings. */
export function readScript(node: SourceNode, what: string, errors: Errors): string[] | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') return [node.value];
  const lines: string[] = [];
  const collect = (seq: SourceNode, depth: number): boolean => {
    if (seq.kind !== 'seq' || depth > MAX_SCRIPT_NESTING) return false;
    for (const item of seq.items) {
      if (item.kind === 'scalar' && typeof item.value === 'string') lines.push(item.value);
      else if (!collect(item, depth + 1)) return false;
    }
    return true;
  };
  if (collect(node, 1)) return lines;
  errors.push(errorAt(node.pos, `${what} config should be a string or a nested array of strings up to ${MAX_SCRIPT_NESTING} levels deep`));
  return undefined;
}

/**
 * `variables:`: values are strings, numbers or booleans (made strings), or `{value, description,
 * options, expand}` of which only the value matters here.
 */
export function readVariables(node: SourceNode, what: string, errors: Errors): Record<string, string> | undefined {
  const map = asMap(node, what, errors);
  if (!map) return undefined;
  const variables: Record<string, string> = {};
  for (const entry of map.entries) {
    const value = variableValue(entry.value, `${what}:${entry.key}`, errors);
    if (value !== undefined) variables[entry.key] = value;
  }
  return variables;
}

function variableValue(node: SourceNode, what: string, errors: Errors): string | undefined {
  if (node.kind === 'scalar') return scalarText(node) ?? '';
  if (node.kind === 'map') {
    checkKeys(node, ['value', 'description', 'options', 'expand'], what, errors);
    const value = node.entries.find((e) => e.key === 'value');
    if (!value) return '';
    if (value.value.kind === 'scalar') return scalarText(value.value) ?? '';
  }
  errors.push(errorAt(node.pos, `${what} config should be a string, a number, a boolean or a hash with a value`));
  return undefined;
}
