import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * The bounds MLflow's server puts on a GraphQL document before running it (so that one request
 * cannot fan out into thousands of store calls): depth, total selections, root fields, and
 * aliases at any one level, counting what fragments bring in. Returns the refusal, or null.
 */
export const GRAPHQL_LIMITS = { maxDepth: 10, maxSelections: 1000, maxRootFields: 10, maxAliases: 10 } as const;

function fieldsOf(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): { fields: FieldNode[]; aliases: number } {
  const fields: FieldNode[] = [];
  let aliases = 0;
  const queue = [...selectionSet.selections];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const selection = queue.shift()!;
    if (selection.kind === Kind.FIELD) {
      fields.push(selection);
      if (selection.alias) aliases++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      queue.push(...selection.selectionSet.selections);
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = fragments.get(name);
      if (fragment) queue.push(...fragment.selectionSet.selections);
    }
  }
  return { fields, aliases };
}

export function graphqlLimitExceeded(document: DocumentNode): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let rootFields = 0;
  let maxAliases = 0;
  let selections = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const stack: { set: SelectionSetNode; depth: number }[] = [{ set: definition.selectionSet, depth: 1 }];
    while (stack.length > 0) {
      const { set, depth } = stack.pop()!;
      if (depth > GRAPHQL_LIMITS.maxDepth) return `Query exceeds maximum depth of ${GRAPHQL_LIMITS.maxDepth}`;
      const { fields, aliases } = fieldsOf(set, fragments);
      for (const field of fields) {
        if (depth === 1) rootFields++;
        if (field.selectionSet) stack.push({ set: field.selectionSet, depth: depth + 1 });
        if (++selections > GRAPHQL_LIMITS.maxSelections) return `Query exceeds maximum total selections of ${GRAPHQL_LIMITS.maxSelections}`;
      }
      maxAliases = Math.max(maxAliases, aliases);
    }
  }
  if (rootFields > GRAPHQL_LIMITS.maxRootFields) return `GraphQL queries should have at most ${GRAPHQL_LIMITS.maxRootFields} root fields, got ${rootFields} root fields.`;
  if (maxAliases > GRAPHQL_LIMITS.maxAliases) return `GraphQL queries should have at most ${GRAPHQL_LIMITS.maxAliases} aliases, got ${maxAliases} aliases.`;
  return null;
}
