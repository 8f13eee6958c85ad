/**
 * The items grouped by a key, each group in the items' order. Hydrating a page of rows with
 * their child rows (tags, aliases, labels) by filtering all children once per row is
 * quadratic: a 1,000-version page with 1,000 tags made a million comparisons per child table.
 */
export function groupedBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The group of a key, or an empty list: the rows of a parent that has none. */
export function groupOf<K, T>(groups: Map<K, T[]>, key: K): T[] {
  return groups.get(key) ?? [];
}
