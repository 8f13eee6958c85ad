import { describe, expect, it } from 'vitest';
import { matchesBranchPattern } from '../../src/pipelines/ci-settings-service.ts';

describe('protected branch patterns', () => {
  it('match names literally, with * for any run of characters', () => {
    expect(matchesBranchPattern('main', 'main')).toBe(true);
    expect(matchesBranchPattern('main', 'mainline')).toBe(false);
    expect(matchesBranchPattern('release/*', 'release/1.x')).toBe(true);
    expect(matchesBranchPattern('release/*', 'releases/1.x')).toBe(false);
    expect(matchesBranchPattern('v1.*', 'v1x2')).toBe(false);
    expect(matchesBranchPattern('*-stable', 'a/b-stable')).toBe(true);
    expect(matchesBranchPattern('*', 'anything')).toBe(true);
  });

  it('match in linear time: a pattern such as *a*a*a*b against a long branch name cannot stall the server', () => {
    // A backtracking engine takes about n^3 steps here (seconds at 250 characters), n^4 with one more star.
    for (const pattern of ['*a*a*a*b', '*a*a*a*a*a*a*b']) {
      const started = performance.now();
      expect(matchesBranchPattern(pattern, 'a'.repeat(250))).toBe(false);
      expect(performance.now() - started, pattern).toBeLessThan(100);
    }
  });
});
