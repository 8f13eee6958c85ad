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

  it('keeps the client commands to HTTP: src/cli/client imports Node.js and itself only, never a domain or the database', () => {
    const folder = path.resolve('src/cli/client');
    const allowed = (target: string) => target.startsWith('node:') || target.startsWith(folder) || target === path.resolve('src/cli/exit-codes.ts');
    const offending = fs.readdirSync(folder).flatMap((name) => {
      const file = path.join(folder, name);
      const targets = [...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => (m[1]!.startsWith('.') ? path.resolve(folder, m[1]!) : m[1]!));
      return targets.filter((target) => !allowed(target)).map((target) => `${name} imports ${path.isAbsolute(target) ? path.relative(process.cwd(), target) : target}`);
    });
    expect(offending).toEqual([]);
  });
});
