import { describe, expect, it } from 'vitest';
import { parseUntrustedJson } from '../../src/shared/json-depth.ts';
import { pythonSpellingOf } from '../../src/shared/json-number-spelling.ts';

/** MLflow's server is Python: its messages print a JSON number as Python's json.loads gives it. */
describe('how MLflow prints a number the caller sent', () => {
  const spelled = (literal: string, key = 'v') => pythonSpellingOf(parseUntrustedJson(`{"v": ${literal}}`) as object, key);

  it("prints floats as Python's repr and ints as written", () => {
    // Each pair checked against python3 -c 'print(repr(json.loads(literal)))'.
    const cases: [string, string][] = [
      ['9.0', '9.0'],
      ['9', '9'],
      ['-0', '0'],
      ['-0.0', '-0.0'],
      ['2.50', '2.5'],
      ['1e2', '100.0'],
      ['0.0001', '0.0001'],
      ['0.00001', '1e-05'],
      ['1e16', '1e+16'],
      ['123456789012345.6', '123456789012345.6'],
      ['1E400', 'inf'],
    ];
    for (const [literal, python] of cases) expect(spelled(literal), literal).toBe(python);
  });

  it('reads only the top-level member, the last of duplicates, and nothing from inside strings', () => {
    const text = '{"a": "\\"v\\": 1.0", "n": {"v": 2.0}, "v": 3.0, "w": [4.0], "v": 5.0}';
    expect(pythonSpellingOf(parseUntrustedJson(text) as object, 'v')).toBe('5.0');
    expect(pythonSpellingOf(parseUntrustedJson(text) as object, 'w')).toBeUndefined();
    expect(pythonSpellingOf(parseUntrustedJson('{"v": "9.0"}') as object, 'v')).toBeUndefined();
    expect(pythonSpellingOf({ v: 9 }, 'v')).toBeUndefined();
  });
});
