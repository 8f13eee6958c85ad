import { assertStorableJson } from './storable-text.ts';
import { InputErrors } from './input-errors.ts';

/**
 * How deeply a JSON body may nest arrays and objects. MLflow's and GitLab's payloads nest a
 * handful of levels (log-batch: body, list, entry); 100 000 levels parse fine but overflow the
 * stack of every recursive walk after (JSON.stringify in an error message, a validator).
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** The index of the quote that ends the string opened at `start` (the end of input if none). */
function endOfString(bytes: Uint8Array, start: number): number {
  let quote = start;
  for (;;) {
    quote = bytes.indexOf(QUOTE, quote + 1);
    if (quote < 0) return bytes.length;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

/** Whether JSON text nests deeper than `limit`: one pass over the bytes, no recursion. */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) i = endOfString(bytes, i);
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
  }
  return false;
}

/**
 * JSON.parse for text a caller sent (UTF-8 bytes or a string): a 400 when it nests deeper than
 * MAX_JSON_DEPTH or when a string in it cannot be stored (storable-text.ts); JSON.parse's own
 * SyntaxError when it is not JSON.
 */
export function parseUntrustedJson(input: Uint8Array | string): unknown {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) throw InputErrors.JSON_TOO_DEEP({ maxDepth: MAX_JSON_DEPTH });
  const parsed: unknown = JSON.parse(typeof input === 'string' ? input : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if (mayHoldUnstorableText(input)) assertStorableJson(parsed, 'the JSON body');
  return rememberSource(parsed, input);
}

const UNICODE_ESCAPE = Buffer.from('\\u');

/**
 * Whether parsed JSON text can hold a NUL or an unpaired surrogate, so that every string of it
 * must be walked (a tenth of the server's CPU for a 1000-point log-batch). In UTF-8 bytes
 * neither can appear raw: JSON forbids a raw NUL, and decoding turns a broken sequence into
 * U+FFFD; only a `\u` escape writes one. A JS string may hold a raw unpaired surrogate, so
 * strings are always walked.
 */
function mayHoldUnstorableText(input: Uint8Array | string): boolean {
  if (typeof input === 'string') return true;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength).indexOf(UNICODE_ESCAPE) >= 0;
}

/**
 * Each parsed object body's text (kept as the bytes it came as), for as long as the body lives:
 * json-number-spelling.ts reads how the caller wrote a number there.
 */
const SOURCES = new WeakMap<object, Uint8Array | string>();

function rememberSource(parsed: unknown, input: Uint8Array | string): unknown {
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) SOURCES.set(parsed, input);
  return parsed;
}

/** The text a body that parseUntrustedJson parsed came from. */
export function jsonSourceOf(parsed: object): string | undefined {
  const source = SOURCES.get(parsed);
  if (source === undefined || typeof source === 'string') return source;
  return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8');
}
