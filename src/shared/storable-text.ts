import { defineErrors } from './errors.ts';

/**
 * Text that every store keeps exactly as it was sent has no NUL (PostgreSQL's text types refuse
 * it) and no UTF-16 surrogate without its pair (UTF-8 cannot encode one, so the database
 * drivers would quietly store U+FFFD instead). JSON's `\u` escapes and URL percent-escapes can
 * write both; they are refused where requests come in, once for every route.
 */
const NUL_OR_LONE_SURROGATE = /[\u0000\uD800-\uDFFF]/u;

export const TextErrors = defineErrors('input', {
  UNSTORABLE_TEXT: {
    kind: 'invalid',
    message: ({ where, character }: { where: string; character: string }) => `${where} contains ${character}, which text cannot hold`,
  },
});

function describeCharacter(char: string): string {
  if (char === '\u0000') return 'a NUL character (\\u0000)';
  return `an unpaired UTF-16 surrogate (\\u${char.charCodeAt(0).toString(16)})`;
}

/** Refuses text with NUL or an unpaired surrogate; `where` names it in the message ("the URL"). */
export function assertStorableText(text: string, where: string): void {
  const found = NUL_OR_LONE_SURROGATE.exec(text);
  if (found) throw TextErrors.UNSTORABLE_TEXT({ where, character: describeCharacter(found[0]) });
}

/** The same for every string of a parsed JSON value, keys included. */
export function assertStorableJson(value: unknown, where: string): void {
  if (typeof value === 'string') assertStorableText(value, where);
  else if (Array.isArray(value)) for (const item of value) assertStorableJson(item, where);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      assertStorableText(key, where);
      assertStorableJson(item, where);
    }
  }
}
