import { isUtf8 } from 'node:buffer';
import { assertStorableText } from '../../shared/storable-text.ts';
import type { App } from '../types.ts';
import { InputErrors } from '../../shared/input-errors.ts';

/** Turns the percent-escapes of a URL part into bytes, so that their encoding can be checked. */
function percentDecodedBytes(text: string): Buffer | null {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (char === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/**
 * The query-string parser decodes invalid escapes leniently (into U+FFFD or raw text), so a
 * search for `%FF` would run with a mangled term. Refuse such URLs before anything else runs,
 * and URLs that decode to text no store can keep (`%00`).
 */
export function installUrlEncodingCheck(app: App): void {
  // Most URLs have nothing to decode: a callback hook spares them a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.includes('%')) return done();
    try {
      checkUrlEncoding(request.url);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
}

/** Throws MALFORMED_URL for a URL whose percent-escapes are malformed, not UTF-8, or not storable text. */
export function checkUrlEncoding(url: string): void {
  const query = url.indexOf('?');
  const parts = [query >= 0 ? url.slice(0, query) : url];
  if (query >= 0) parts.push(...url.slice(query + 1).split(/[&=]/));
  for (const part of parts) {
    if (!part.includes('%')) continue;
    const bytes = percentDecodedBytes(part);
    if (bytes === null) throw InputErrors.MALFORMED_URL({ detail: 'the URL has a malformed percent-encoding' });
    if (!isUtf8(bytes)) throw InputErrors.MALFORMED_URL({ detail: 'the URL is not valid UTF-8 once decoded' });
    assertStorableText(bytes.toString('utf8'), 'the URL');
  }
}
