import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The serving agent runs on machines that have no server: it imports only the agent protocol
 * (src/agent-protocol), Node's built-ins and npm packages the project depends on — never the
 * server's code — and the protocol itself imports nothing but TypeBox.
 */
const SRC = path.resolve('src');
const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** Every module specifier a file names: static imports, re-exports and dynamic imports. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

function offending(room: string, allowedRooms: string[], allowedPackages: (name: string) => boolean): string[] {
  return sourceFiles(path.join(SRC, room)).flatMap((file) =>
    specifiers(file).flatMap((specifier) => {
      const where = `${path.relative(SRC, file)} imports ${specifier}`;
      if (specifier.startsWith('.')) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), specifier));
        return allowedRooms.includes(target.split(path.sep)[0]!) && !target.startsWith('..') ? [] : [where];
      }
      if (isBuiltin(specifier)) return allowedRooms.includes('agent') ? [] : [where];
      return allowedPackages(packageOf(specifier)) ? [] : [where];
    }),
  );
}

describe('the agent imports', () => {
  it('nothing of the server: only src/agent, src/agent-protocol, node built-ins and dependencies', () => {
    expect(offending('agent', ['agent', 'agent-protocol'], (name) => name in manifest.dependencies)).toEqual([]);
  });

  it('a protocol that imports nothing but TypeBox', () => {
    expect(offending('agent-protocol', ['agent-protocol'], (name) => name === 'typebox')).toEqual([]);
  });

  it('is checked by a test that sees imports (it finds the ones the agent has)', () => {
    const found = sourceFiles(path.join(SRC, 'agent')).flatMap(specifiers);
    expect(found).toContain('../agent-protocol/protocol.ts');
    expect(found).toContain('tar-stream');
    expect(found).toContain('node:child_process');
    // And it would see a server import for what it is.
    expect(offending('cli', ['agent', 'agent-protocol'], (name) => name in manifest.dependencies).length).toBeGreaterThan(0);
  });
});
