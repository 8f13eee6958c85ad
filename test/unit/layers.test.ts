import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers run one way: `src/http` holds HTTP pieces every domain may use and imports no
 * domain; `src/server` is the composition root that assembles the domains, and only the
 * command line (which starts it) imports it.
 */
const SRC = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The rooms (first folder under src/) a file imports from, by its relative imports. */
function importedRooms(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const rooms = new Set<string>();
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = path.relative(SRC, path.resolve(path.dirname(file), match[1]!));
    rooms.add(target.split(path.sep)[0]!);
  }
  return [...rooms];
}

const roomOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

describe('layers', () => {
  it('keeps src/http free of domains: it imports only itself, shared and storage', () => {
    const offending = sourceFiles(path.join(SRC, 'http')).flatMap((file) =>
      importedRooms(file)
        .filter((room) => !['http', 'shared', 'storage'].includes(room))
        .map((room) => `${path.relative(SRC, file)} imports ${room}`),
    );
    expect(offending).toEqual([]);
  });

  it('lets only the command line import the composition root (src/server)', () => {
    const offending = sourceFiles(SRC)
      .filter((file) => !['server', 'cli'].includes(roomOf(file)))
      .filter((file) => importedRooms(file).includes('server'))
      .map((file) => path.relative(SRC, file));
    expect(offending).toEqual([]);
  });
});
