import { RE2JS, RE2JSException } from 're2js';

/**
 * Regular expressions whose text comes from users (CI rules, branch patterns, artifact globs)
 * run on RE2 (re2js, pure JavaScript), whose matching time is linear in the input: JavaScript's
 * own engine backtracks, and a pattern like /^(a|a)*$/ takes exponential time on "aaa…!".
 * Linear is per compiled instruction, though, and counted repetition multiplies instructions
 * (`.{999}` is a thousand), so the compiled program is bounded as well as the text.
 */

/** Longer patterns than this are refused before they are compiled. */
export const MAX_PATTERN_LENGTH = 512;
/**
 * The most RE2 instructions a pattern may compile to. Matching costs up to one step per
 * instruction per character; ordinary patterns need a few dozen, `[a-z]{1000}` needs 1002.
 */
export const MAX_PROGRAM_INSTRUCTIONS = 1000;

export type RegexFlag = 'i' | 'm' | 's';
const FLAG_BITS: Record<RegexFlag, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

export class UnsafeRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeRegexError';
  }
}

export type UntrustedRegex = RE2JS;

function isRegexFlag(flag: string): flag is RegexFlag {
  return Object.hasOwn(FLAG_BITS, flag);
}

/** How many instructions RE2 compiled; undefined if the library stops exposing its program. */
function programSize(compiled: RE2JS): number | undefined {
  const program: unknown = compiled.re2Input.prog;
  if (typeof program !== 'object' || program === null || !('inst' in program)) return undefined;
  return Array.isArray(program.inst) ? program.inst.length : undefined;
}

/**
 * Compiles `source` with the flags i, m and s, or throws UnsafeRegexError saying why not:
 * too long, too large once compiled, or outside RE2's syntax (backreferences, lookaround).
 */
export function compileUntrustedRegex(source: string, flags = ''): UntrustedRegex {
  if (source.length > MAX_PATTERN_LENGTH) throw new UnsafeRegexError(`regular expression longer than ${MAX_PATTERN_LENGTH} characters`);
  let bits = 0;
  for (const flag of flags) {
    if (!isRegexFlag(flag)) throw new UnsafeRegexError(`unsupported regular expression flags '${flags}' (i, m and s are)`);
    bits |= FLAG_BITS[flag];
  }
  // RE2's own messages for these two ("invalid escape sequence") would not say why.
  if (/\\[1-9]|\\k</.test(source)) throw new UnsafeRegexError('backreferences are not supported (regular expressions run on RE2)');
  if (/\(\?<?[=!]/.test(source)) throw new UnsafeRegexError('lookaround is not supported (regular expressions run on RE2)');
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, bits);
  } catch (error) {
    if (error instanceof RE2JSException) throw new UnsafeRegexError(`invalid regular expression /${source}/: ${error.message}`);
    throw error;
  }
  const size = programSize(compiled);
  if (size !== undefined && size > MAX_PROGRAM_INSTRUCTIONS) {
    throw new UnsafeRegexError(`regular expression too large: it compiles to ${size} instructions (at most ${MAX_PROGRAM_INSTRUCTIONS}); use fewer or smaller counted repetitions`);
  }
  return compiled;
}

/** `text` as a pattern that matches exactly that text. */
export function quoteRegex(text: string): string {
  return text === '' ? '' : RE2JS.quote(text);
}

/**
 * Compiles a pattern written by code: fixed, or assembled from quoted user text (globs). Such a
 * pattern grows with its text only, so the caps above do not apply; RE2 keeps matching linear
 * where a backtracking engine takes polynomial time, on globs such as `*a*a*a*a*b` or on
 * hostile text that a fixed pattern scans.
 */
export function compileAssembledRegex(source: string): UntrustedRegex {
  return RE2JS.compile(source);
}
