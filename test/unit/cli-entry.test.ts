import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `modelyard --help` and the client commands start fast because the entry loads only the
 * command tree: every other module is imported by the command that runs. This follows the
 * entry's static imports (dynamic `import()` excluded) and lists every source file they reach.
 */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?'([^']+)'/gm;

function reached(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  for (const match of text.matchAll(STATIC_IMPORT)) {
    const target = match[1]!;
    if (target.startsWith('.')) reached(path.resolve(path.dirname(file), target), seen);
    else seen.add(target);
  }
  return seen;
}

describe('the command line entry', () => {
  it('loads commander and the small modules of the command tree only, never the server', () => {
    const files = [...reached(path.resolve('src/cli/main.ts'))].map((f) => (path.isAbsolute(f) ? path.relative(process.cwd(), f) : f)).sort();
    expect(files).toEqual(['commander', 'node:fs', 'src/cli/client-program.ts', 'src/cli/exit-codes.ts', 'src/cli/main.ts', 'src/config/config-error.ts', 'src/shared/version.ts']);
  });
});
