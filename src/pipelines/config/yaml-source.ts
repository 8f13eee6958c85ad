import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Alias, type Document, type Node as YamlNode } from 'yaml';
import type { ConfigError } from './types.ts';

/**
 * YAML turned into a small tree whose every node remembers where it was written, so that every
 * error can point at a line. Anchors and merge keys (`<<: *defaults`) are resolved here, as
 * GitLab's YAML loader does, so the rest of the compiler never sees them.
 */

export interface Pos {
  line: number;
  column: number;
  /** Set for nodes of an included template: where in the template, since line/column point at the include. */
  note?: string;
}

export type Scalar = string | number | boolean | null;
export type SourceNode = ScalarNode | MapNode | SeqNode;
export interface ScalarNode {
  kind: 'scalar';
  value: Scalar;
  pos: Pos;
  /** As written, for numbers: `1.0` stays "1.0" when used as a string. */
  source?: string;
}
export interface SeqNode {
  kind: 'seq';
  items: SourceNode[];
  pos: Pos;
}
export interface MapEntry {
  key: string;
  keyPos: Pos;
  value: SourceNode;
}
export interface MapNode {
  kind: 'map';
  entries: MapEntry[];
  pos: Pos;
}

/** Where a template's nodes are reported: the include entry of the main file. */
export interface Origin {
  name: string;
  pos: Pos;
}

export interface ParsedYaml {
  root?: SourceNode;
  errors: ConfigError[];
}

export function errorAt(pos: Pos, message: string): ConfigError {
  return { line: pos.line, column: pos.column, message: pos.note ? `${message} (${pos.note})` : message };
}

// Deep enough for any real configuration, shallow enough that `&a [*a]` cannot loop for ever.
const MAX_DEPTH = 64;
/**
 * Aliases multiply: twenty anchors that each repeat the previous one twice ("billion laughs")
 * make a million nodes from a few lines. A real configuration, even a 1 MiB one with anchors in
 * every job, has tens of thousands.
 */
export const MAX_YAML_NODES = 250_000;

export function parseYaml(content: string, origin?: Origin): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { lineCounter, merge: true, prettyErrors: false });
  const place = (offset: number | undefined): Pos => {
    const at = lineCounter.linePos(offset ?? 0);
    if (!origin) return { line: at.line, column: at.col };
    return { ...origin.pos, note: `in template ${origin.name}, line ${at.line} column ${at.col}` };
  };
  if (doc.errors.length > 0) {
    return { errors: doc.errors.map((e) => errorAt(place(e.pos[0]), firstLine(e.message))) };
  }
  const errors: ConfigError[] = [];
  if (doc.contents === null) return { errors };
  const root = convert(doc.contents, { aliases: aliasTargets(doc), place, errors, depth: 0, budget: { nodes: MAX_YAML_NODES } });
  // A node the tree could not hold (a tag, a bad alias) would only cause confusing errors later.
  return errors.length > 0 ? { errors } : { root, errors };
}

interface Context {
  aliases: Map<Alias, YamlNode>;
  place: (offset: number | undefined) => Pos;
  errors: ConfigError[];
  depth: number;
  /** Nodes left to make, shared by the whole conversion. */
  budget: { nodes: number };
}

/**
 * What each alias refers to: the latest node before it with its anchor, found in one walk of
 * the document. yaml's own Alias.resolve walks the document again for every alias it resolves.
 */
function aliasTargets(doc: Document): Map<Alias, YamlNode> {
  const targets = new Map<Alias, YamlNode>();
  const anchors = new Map<string, YamlNode>();
  // Depth first, in document order, without recursion.
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const item = pending.pop();
    if (isPair(item)) {
      pending.push(item.value, item.key);
    } else if (isAlias(item)) {
      const target = anchors.get(item.source);
      if (target) targets.set(item, target);
    } else if (isScalar(item) || isCollection(item)) {
      if (item.anchor) anchors.set(item.anchor, item);
      if (isCollection(item)) for (let i = item.items.length - 1; i >= 0; i--) pending.push(item.items[i]);
    }
  }
  return targets;
}

function convert(node: YamlNode, ctx: Context): SourceNode {
  const pos = ctx.place(node.range?.[0]);
  if (ctx.depth > MAX_DEPTH) {
    ctx.errors.push(errorAt(pos, 'YAML nesting is too deep'));
    return { kind: 'scalar', value: null, pos };
  }
  if (--ctx.budget.nodes < 0) {
    if (ctx.budget.nodes === -1) ctx.errors.push(errorAt(pos, `the YAML has more than ${MAX_YAML_NODES} nodes, counting every repetition through aliases`));
    return { kind: 'scalar', value: null, pos };
  }
  const inner: Context = { ...ctx, depth: ctx.depth + 1 };
  if (isAlias(node)) {
    const target = ctx.aliases.get(node);
    if (!target) {
      ctx.errors.push(errorAt(pos, `unknown YAML alias *${node.source}`));
      return { kind: 'scalar', value: null, pos };
    }
    return convert(target, inner);
  }
  if (node.tag === '!reference') {
    ctx.errors.push(errorAt(pos, '!reference tags are not supported'));
    return { kind: 'scalar', value: null, pos };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((item) => convertItem(item, pos, inner)), pos };
  }
  if (isMap(node)) return convertMap(node.items, pos, inner);
  if (isScalar(node)) {
    const value = toScalar(node.value);
    if (value === undefined) ctx.errors.push(errorAt(pos, 'unsupported YAML value'));
    return { kind: 'scalar', value: value ?? null, pos, ...(typeof value === 'number' && node.source ? { source: node.source } : {}) };
  }
  ctx.errors.push(errorAt(pos, 'unsupported YAML node'));
  return { kind: 'scalar', value: null, pos };
}

function convertItem(item: unknown, fallback: Pos, ctx: Context): SourceNode {
  if (item === null || item === undefined) return { kind: 'scalar', value: null, pos: fallback };
  return convert(item as YamlNode, ctx);
}

function convertMap(pairs: readonly { key: unknown; value: unknown }[], pos: Pos, ctx: Context): MapNode {
  const entries: MapEntry[] = [];
  const merged: MapEntry[] = [];
  for (const pair of pairs) {
    const keyNode = pair.key === null || pair.key === undefined ? undefined : (pair.key as YamlNode);
    const keyPos = keyNode ? ctx.place(keyNode.range?.[0]) : pos;
    if (keyNode && isScalar(keyNode) && typeof keyNode.value === 'symbol') {
      // A merge key: its maps fill in the keys this map does not set itself.
      merged.push(...mergeSources(convertItem(pair.value, keyPos, ctx), ctx));
      continue;
    }
    const key = keyNode && isScalar(keyNode) ? toScalar(keyNode.value) : undefined;
    if (key === undefined || key === null) {
      ctx.errors.push(errorAt(keyPos, 'mapping keys must be plain scalars'));
      continue;
    }
    entries.push({ key: String(key), keyPos, value: convertItem(pair.value, keyPos, ctx) });
  }
  const own = new Set(entries.map((e) => e.key));
  const fromMerge = new Map<string, MapEntry>();
  for (const entry of merged) if (!own.has(entry.key) && !fromMerge.has(entry.key)) fromMerge.set(entry.key, entry);
  return { kind: 'map', entries: [...fromMerge.values(), ...entries], pos };
}

function mergeSources(value: SourceNode, ctx: Context): MapEntry[] {
  if (value.kind === 'map') return value.entries;
  if (value.kind === 'seq') {
    // In `<<: [*a, *b]` the earlier map wins, as in YAML 1.1.
    return value.items.flatMap((item) => mergeSources(item, ctx));
  }
  ctx.errors.push(errorAt(value.pos, 'a merge key (<<) must refer to a mapping'));
  return [];
}

function toScalar(value: unknown): Scalar | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

// The parser's messages end with a copy of the offending line and a caret; the position says that.
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

/** A map's value for one key, if present. */
export function entryOf(map: MapNode, key: string): MapEntry | undefined {
  return map.entries.find((e) => e.key === key);
}
