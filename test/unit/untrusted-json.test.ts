import { describe, expect, it } from 'vitest';
import { parseUntrustedJson } from '../../src/shared/json-depth.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('parseUntrustedJson', () => {
  it('refuses a NUL or an unpaired surrogate written as a \\u escape, in bytes and in strings', () => {
    for (const text of ['{"a": "x\\u0000"}', '{"a": ["\\ud800"]}', '{"\\udfff": 1}', '{"a": {"b": "\\uDC00z"}}']) {
      expect(() => parseUntrustedJson(bytes(text)), text).toThrow(/which text cannot hold/);
      expect(() => parseUntrustedJson(text), text).toThrow(/which text cannot hold/);
    }
  });

  it('refuses a raw unpaired surrogate in a string input, which UTF-8 bytes cannot carry', () => {
    expect(() => parseUntrustedJson(`{"a": "x${String.fromCharCode(0xd800)}"}`)).toThrow(/unpaired UTF-16 surrogate/);
  });

  it('accepts paired surrogates raw or escaped, other escapes and an escaped backslash before a u', () => {
    for (const text of ['{"a": "😀"}', '{"a": "\\ud83d\\ude00"}', '{"a": "\\u00e9\\n"}', '{"a": "\\\\u0000"}']) {
      expect(parseUntrustedJson(bytes(text)), text).toEqual(JSON.parse(text));
    }
  });
});
