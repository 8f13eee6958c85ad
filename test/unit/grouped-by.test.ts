import { describe, expect, it } from 'vitest';
import { groupedBy, groupOf } from '../../src/shared/grouped-by.ts';

describe('groupedBy', () => {
  it('keeps each group in the order of the items (child rows arrive sorted by key)', () => {
    const tags = [
      { owner: 2, key: 'a' },
      { owner: 1, key: 'b' },
      { owner: 2, key: 'c' },
      { owner: 1, key: 'd' },
    ];
    const groups = groupedBy(tags, (t) => t.owner);
    expect(groupOf(groups, 1).map((t) => t.key)).toEqual(['b', 'd']);
    expect(groupOf(groups, 2).map((t) => t.key)).toEqual(['a', 'c']);
  });

  it('answers an empty list for a parent without children', () => {
    expect(
      groupOf(
        groupedBy([{ owner: 1 }], (t) => t.owner),
        3,
      ),
    ).toEqual([]);
  });
});
