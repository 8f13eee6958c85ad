import { minimatch } from 'minimatch';
import { invalid } from '../shared/errors.ts';

/**
 * Allow and ignore patterns as the Hub's clients read them (`allow_patterns`, `ignore_patterns`):
 * a pattern without "/" matches a file name in any folder (`*.safetensors`), one with "/" the
 * whole path (`onnx/*.onnx`, `**` crossing folders), and a trailing "/" a folder and everything
 * under it. minimatch does the matching, without brace or extglob expansion (linear patterns).
 */
const OPTIONS = { dot: true, nobrace: true, noext: true, nocomment: true, nonegate: true } as const;

function expanded(pattern: string): { glob: string; matchBase: boolean } {
  if (pattern.endsWith('/')) return { glob: `${pattern}**`, matchBase: false };
  return { glob: pattern, matchBase: !pattern.includes('/') };
}

export function validPatterns(patterns: readonly string[] | undefined, name: string): string[] {
  const list = [...(patterns ?? [])];
  for (const pattern of list) {
    if (pattern.trim() !== pattern || /[\u0000-\u001f\u007f]/.test(pattern)) throw invalid(`${name} has an invalid pattern ${JSON.stringify(pattern)}: no surrounding spaces or control characters`);
    if (pattern.startsWith('/') || pattern.split('/').includes('..')) throw invalid(`${name} has an invalid pattern ${JSON.stringify(pattern)}: patterns are relative to the repository, without ".."`);
  }
  return list;
}

function matchesAny(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const { glob, matchBase } = expanded(pattern);
    return minimatch(path, glob, { ...OPTIONS, matchBase });
  });
}

/** Whether a file is kept: it matches an include pattern (or there is none) and no exclude pattern. */
export function selectedBy(path: string, include: readonly string[], exclude: readonly string[]): boolean {
  return (include.length === 0 || matchesAny(path, include)) && !matchesAny(path, exclude);
}
