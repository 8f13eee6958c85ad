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
    message: ({ where, character, field }: { where: string; character: string; field?: string }) => `${where} contains ${character}${field ? ` in '${field}'` : ''}, which text cannot hold`,
  },
});

function describeCharacter(char: string): string {
  if (char === '\u0000') return 'a NUL character (\\u0000)';
  return `an unpaired UTF-16 surrogate (\\u${char.charCodeAt(0).toString(16)})`;
}

/** Refuses text with NUL or an unpaired surrogate; `where` names it in the message ("the URL"), `field` the part of it. */
export function assertStorableText(text: string, where: string, field?: string): void {
  const found = NUL_OR_LONE_SURROGATE.exec(text);
  if (found) throw TextErrors.UNSTORABLE_TEXT({ where, character: describeCharacter(found[0]), ...(field ? { field } : {}) });
}

/**
 * The same for every string of a parsed JSON value, keys included; the message names the field
 * (`metrics[0].key`), so that a client sees which value to fix.
 */
export function assertStorableJson(value: unknown, where: string, path = ''): void {
  if (typeof value === 'string') assertStorableText(value, where, path);
  else if (Array.isArray(value)) value.forEach((item, i) => assertStorableJson(item, where, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // A key is checked before it is named: the message never repeats the character it refuses.
      assertStorableText(key, where, path === '' ? 'a key' : `a key of ${path}`);
      assertStorableJson(item, where, path === '' ? key : `${path}.${key}`);
    }
  }
}
