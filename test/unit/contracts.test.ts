import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The web UI type-checks the domains' contracts (`src/<domain>/contract.ts`) and must never
 * bundle server code: a contract imports only TypeBox, the schema-only pieces of src/http and
 * other contracts, and the web imports them as types only.
 */
const SRC = path.resolve('src');
const WEB = path.resolve('web/src');

// src/runner-protocol/ is the wire contract the runner shares with the server: schemas only.
const ALLOWED_IN_CONTRACTS = new Set(['typebox', 'src/http/responses.ts', 'src/http/schemas.ts', 'src/http/pagination-query.ts', 'src/runner-protocol/job-response.ts']);

function files(dir: string, keep: (name: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full, keep);
    return keep(entry.name) ? [full] : [];
  });
}

/** Each import of a file: what it names (relative ones as repository paths) and whether it is type-only. */
function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)].map((match) => {
    const spec = match[3]!;
    const target = spec.startsWith('.') ? path.relative(path.resolve('.'), path.resolve(path.dirname(file), spec)) : spec;
    return { target, typeOnly: match[2] !== undefined };
  });
}

/** `contract.ts`, or a contract too large for one file: `contract.ts` beside a `contract/` folder of parts. */
const isContract = (target: string) => target.endsWith('/contract.ts') || /\/contract\/[^/]+\.ts$/.test(target);
const contracts = files(SRC, () => true).filter((file) => isContract(file));

describe('contracts', () => {
  it('exist for the converted domains', () => {
    expect(contracts.map((file) => path.relative(SRC, file))).toEqual(expect.arrayContaining(['auth/contract.ts', 'projects/contract.ts', 'events/contract.ts', 'server/contract.ts']));
  });

  it('import only TypeBox, schema-only HTTP pieces and other contracts', () => {
    const offending = contracts.flatMap((file) =>
      importsOf(file)
        .filter(({ target }) => !ALLOWED_IN_CONTRACTS.has(target) && !isContract(target))
        .map(({ target }) => `${path.relative(SRC, file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('reach the web UI as types only, so that no server code is bundled', () => {
    const webFiles = files(WEB, (name) => /\.tsx?$/.test(name));
    const offending = webFiles.flatMap((file) =>
      importsOf(file)
        .filter(({ target, typeOnly }) => target.startsWith('src/') && !typeOnly)
        .map(({ target }) => `${path.relative(WEB, file)} imports ${target} as a value`),
    );
    expect(offending).toEqual([]);
    const fromContracts = webFiles.flatMap((file) =>
      importsOf(file)
        .filter(({ target }) => target.startsWith('src/'))
        .map(({ target }) => target),
    );
    expect(fromContracts.every((target) => target.endsWith('/contract.ts'))).toBe(true);
  });
});
