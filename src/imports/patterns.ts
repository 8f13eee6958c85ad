import { compileAssembledRegex, quoteRegex, type UntrustedRegex } from '../shared/untrusted-regex.ts';
import { invalid } from '../shared/errors.ts';

/**
 * Allow and ignore patterns as the Hub's clients read them (`allow_patterns`, `ignore_patterns`):
 * a pattern without "/" matches a file name in any folder (`*.safetensors`), one with "/" the
 * whole path (`onnx/*.onnx`, `**` crossing folders), and a trailing "/" a folder and everything
 * under it. `*` is any run within a name, `?` one character, `[a-z]`/`[!0-9]` one of a set;
 * braces and everything else match themselves. The request names the patterns, so they run on
 * RE2 (linear time): a backtracking engine takes polynomial time on `*a*a*a*a*b` against a long
 * file name from the source's listing.
 */
function segmentSource(segment: string): string {
  let source = '';
  let literal = '';
  const flush = () => {
    source += quoteRegex(literal);
    literal = '';
  };
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    if (char === '*' || char === '?') {
      flush();
      source += char === '*' ? '[^/]*' : '[^/]';
      continue;
    }
    const set = char === '[' ? /^\[(!|\^)?([A-Za-z0-9._-]+)\]/.exec(segment.slice(i)) : null;
    if (set) {
      flush();
      // Only letters, digits and . _ - inside: each is escaped, and a - between two of them is a range.
      const members = set[2]!.replace(/[A-Za-z0-9._]/g, (c) => (/[A-Za-z0-9]/.test(c) ? c : `\\${c}`));
      source += set[1] ? `[^/${members}]` : `[${members}]`;
      i += set[0].length - 1;
      continue;
    }
    literal += char;
  }
  flush();
  return source;
}

function compilePattern(pattern: string): UntrustedRegex {
  const glob = pattern.endsWith('/') ? `${pattern}**` : pattern;
  const segments = glob.split('/');
  const body = segments
    .map((segment, index) => {
      const last = index === segments.length - 1;
      if (segment === '**') return last ? '.*' : '(?:.*/)?';
      return last ? segmentSource(segment) : `${segmentSource(segment)}/`;
    })
    .join('');
  // Without "/", a name in any folder.
  return compileAssembledRegex(glob.includes('/') ? `^${body}$` : `^(?:.*/)?${body}$`);
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
  return patterns.some((pattern) => compilePattern(pattern).test(path));
}

/** Whether a file is kept: it matches an include pattern (or there is none) and no exclude pattern. */
export function selectedBy(path: string, include: readonly string[], exclude: readonly string[]): boolean {
  return (include.length === 0 || matchesAny(path, include)) && !matchesAny(path, exclude);
}
