import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The runner is a separate program that talks to the server over HTTP only: it may import its
 * own files, the runner-protocol module (the wire types both sides share), node's built-ins and
 * npm packages, and nothing else of the server.
 */
const SRC = path.resolve('src');
const ALLOWED = [path.join(SRC, 'runner'), path.join(SRC, 'runner-protocol')];

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourcesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier of `import … from`, `export … from` and `import(…)`. */
export function specifiersOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/g)) found.push(match[1]!);
  for (const match of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) found.push(match[1]!);
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

function outsideTheRunner(file: string, specifier: string): boolean {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return false;
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return false; // an npm package
  const target = path.resolve(path.dirname(file), specifier);
  return !ALLOWED.some((root) => target === root || target.startsWith(root + path.sep));
}

function violations(): string[] {
  return sourcesUnder(path.join(SRC, 'runner')).flatMap((file) =>
    specifiersOf(fs.readFileSync(file, 'utf8'))
      .filter((specifier) => outsideTheRunner(file, specifier))
      .map((specifier) => `${path.relative(SRC, file)} imports ${specifier}`),
  );
}

describe('the runner', () => {
  it('imports nothing of the server but the runner-protocol module', () => {
    expect(violations()).toEqual([]);
  });

  it('catches every form of import (the check itself)', () => {
    const file = path.join(SRC, 'runner', 'x.ts');
    const source =
      "import a from '../pipelines/a.ts';\nimport type { B } from '../server/b.ts';\nexport { c } from '../auth/c.ts';\nconst d = await import('../db/d.ts');\nimport '../shared/e.ts';\nimport { f } from '../runner-protocol/f.ts';\nimport g from 'yazl';\nimport h from 'node:fs';\n";
    expect(specifiersOf(source).filter((s) => outsideTheRunner(file, s))).toEqual(['../pipelines/a.ts', '../server/b.ts', '../auth/c.ts', '../shared/e.ts', '../db/d.ts']);
  });
});
