import { describe, expect, it } from 'vitest';
import { cellText, mlflowTableOf, sortRows } from '../../web/src/mlflow-table.ts';

describe("MLflow's log_table artifacts", () => {
  it('are recognised by their shape: exactly columns (strings) and data (rows)', () => {
    expect(
      mlflowTableOf({
        columns: ['a', 'b'],
        data: [
          [1, 'x'],
          [2, null],
        ],
      }),
    ).toEqual({
      columns: ['a', 'b'],
      rows: [
        [1, 'x'],
        [2, null],
      ],
    });
    expect(mlflowTableOf({ data: [], columns: [] })).toEqual({ columns: [], rows: [] });
    for (const other of [
      null,
      [],
      'columns',
      { columns: ['a'] },
      { columns: ['a'], data: [[1]], index: [0] },
      { columns: [1], data: [[1]] },
      { columns: ['a'], data: [1] },
      { columns: 'a', data: [[1]] },
      { columns: ['a'], data: { 0: [1] } },
    ]) {
      expect(mlflowTableOf(other), JSON.stringify(other)).toBeNull();
    }
  });

  it('show strings as they are, other values as JSON, and nothing for null', () => {
    expect([cellText('a b'), cellText(1.5), cellText(true), cellText({ type: 'image' }), cellText(null), cellText(undefined)]).toEqual(['a b', '1.5', 'true', '{"type":"image"}', '', '']);
  });

  it('sort numbers as numbers, text naturally, empty cells last either way, ties in logged order', () => {
    const rows = [
      ['b', 10],
      ['a', 9],
      ['c', null],
      ['a10', 100],
      ['a2', 9],
    ];
    expect(sortRows(rows, 1, 'ascending').map((r) => r[0])).toEqual(['a', 'a2', 'b', 'a10', 'c']);
    expect(sortRows(rows, 1, 'descending').map((r) => r[0])).toEqual(['a10', 'b', 'a', 'a2', 'c']);
    expect(sortRows(rows, 0, 'ascending').map((r) => r[0])).toEqual(['a', 'a2', 'a10', 'b', 'c']);
    expect(sortRows(rows, 0, 'descending').map((r) => r[0])).toEqual(['c', 'b', 'a10', 'a2', 'a']);
    expect(rows[0]).toEqual(['b', 10]);
  });
});
