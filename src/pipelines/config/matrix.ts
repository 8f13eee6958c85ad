import { asMap, checkKeys, readInteger, scalarText, type Errors } from './readers.ts';
import { errorAt, type SourceNode } from './yaml-source.ts';

/**
 * `parallel:`. `matrix:` is a list of maps whose values are a value or a list of values; each
 * map stands for the cartesian product of its lists, and the instances are those products in
 * order, named as GitLab names them: `train: [0.1, adam]` (the values in the map's key order).
 * A plain `parallel: N` makes N copies named `train 1/N`.
 */

// GitLab's limit on the jobs that one `parallel:` may make.
export const MAX_PARALLEL_INSTANCES = 200;

export type Matrix = Record<string, string[]>[];
export type Parallel = { matrix: Matrix } | { count: number };

export interface Instance {
  name: string;
  variables: Record<string, string>;
}

export function readParallel(node: SourceNode, job: string, errors: Errors): Parallel | undefined {
  const what = `${job}:parallel`;
  if (node.kind === 'scalar') {
    const count = readInteger(node, 1, MAX_PARALLEL_INSTANCES, what, errors);
    return count === undefined ? undefined : { count };
  }
  const map = asMap(node, what, errors);
  if (!map) return undefined;
  checkKeys(map, ['matrix'], what, errors);
  const entry = map.entries.find((e) => e.key === 'matrix');
  if (!entry) {
    errors.push(errorAt(map.pos, `${what} config should be an integer or a hash with matrix`));
    return undefined;
  }
  const matrix = readMatrix(entry.value, `${what}:matrix`, errors);
  if (!matrix) return undefined;
  const instances = expandMatrix(job, matrix);
  if (instances.length > MAX_PARALLEL_INSTANCES) {
    errors.push(errorAt(entry.value.pos, `${what}:matrix config generates too many jobs (maximum is ${MAX_PARALLEL_INSTANCES})`));
    return undefined;
  }
  const names = new Set<string>();
  for (const instance of instances) {
    if (names.has(instance.name)) {
      errors.push(errorAt(entry.value.pos, `${what}:matrix config generates the job ${instance.name} twice`));
      return undefined;
    }
    names.add(instance.name);
  }
  return { matrix };
}

function readMatrix(node: SourceNode, what: string, errors: Errors): Matrix | undefined {
  if (node.kind !== 'seq' || node.items.length === 0) {
    errors.push(errorAt(node.pos, `${what} config should be an array of hashes`));
    return undefined;
  }
  const matrix: Matrix = [];
  let valid = true;
  for (const item of node.items) {
    const map = asMap(item, what, errors);
    if (!map) {
      valid = false;
      continue;
    }
    if (map.entries.length === 0) {
      errors.push(errorAt(map.pos, `${what} config should not contain empty hashes`));
      valid = false;
      continue;
    }
    const entry: Record<string, string[]> = {};
    for (const { key, value } of map.entries) {
      const values = matrixValues(value);
      if (!values) {
        errors.push(errorAt(value.pos, `${what}:${key} config should be a string or a non-empty array of strings`));
        valid = false;
      } else entry[key] = values;
    }
    matrix.push(entry);
  }
  return valid ? matrix : undefined;
}

function matrixValues(node: SourceNode): string[] | undefined {
  const items = node.kind === 'seq' ? node.items : [node];
  if (items.length === 0) return undefined;
  const values: string[] = [];
  for (const item of items) {
    const text = item.kind === 'scalar' ? scalarText(item) : undefined;
    if (text === undefined) return undefined;
    values.push(text);
  }
  return values;
}

export function expandMatrix(job: string, matrix: Matrix): Instance[] {
  const instances: Instance[] = [];
  for (const entry of matrix) {
    let combinations: Record<string, string>[] = [{}];
    for (const [key, values] of Object.entries(entry)) {
      combinations = combinations.flatMap((partial) => values.map((value) => ({ ...partial, [key]: value })));
      // Stop early: a product past the limit is refused anyway, and could be huge.
      if (combinations.length > MAX_PARALLEL_INSTANCES) break;
    }
    for (const variables of combinations) {
      instances.push({ name: `${job}: [${Object.values(variables).join(', ')}]`, variables });
    }
  }
  return instances;
}

/** `parallel: N`: GitLab also tells each copy which one it is. */
export function expandCount(job: string, count: number): Instance[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${job} ${i + 1}/${count}`,
    variables: { CI_NODE_INDEX: String(i + 1), CI_NODE_TOTAL: String(count) },
  }));
}
