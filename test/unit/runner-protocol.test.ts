import { describe, expect, it } from 'vitest';
import { maskSecretsKeepingLength, maskTokenPrefixes } from '../../src/runner-protocol/masking.ts';
import { contentRange, parseContentRange, traceChecksum, traceSizeOf } from '../../src/runner-protocol/trace.ts';

describe('the log protocol', () => {
  it('reads and writes inclusive byte ranges', () => {
    expect(contentRange(10, 5)).toBe('10-14');
    expect(parseContentRange('10-14')).toEqual({ start: 10, end: 14 });
    expect(parseContentRange(' 0-0 ')).toEqual({ start: 0, end: 0 });
    for (const bad of ['', '5', 'a-b', '10-3', '-1-4', undefined]) expect(parseContentRange(bad)).toBeUndefined();
    expect(traceSizeOf('0-42')).toBe(42);
    expect(traceSizeOf('bytes 0-42')).toBeUndefined();
    expect(traceChecksum(0x1234)).toBe('crc32:00001234');
  });
});

describe('masking', () => {
  it('keeps the length of the log when the server masks, so that runner offsets stay right', () => {
    const secret = 'hunter2-very-secret-value';
    const masked = maskSecretsKeepingLength(Buffer.from(`a ${secret} b ✓\n`), [secret, 'abc']);
    expect(masked.toString()).toBe(`a [MASKED]${'*'.repeat(secret.length - 8)} b ✓\n`);
    expect(masked.length).toBe(Buffer.byteLength(`a ${secret} b ✓\n`));
    const untouched = Buffer.from('nothing to hide');
    expect(maskSecretsKeepingLength(untouched, [secret])).toBe(untouched);
  });

  it('hides whatever follows a token prefix', () => {
    expect(maskTokenPrefixes('x glpat-abc_DEF-1 y glcbt- z glpat-', ['glpat-', 'glcbt-'])).toBe('x glpat-[MASKED] y glcbt- z glpat-');
  });
});
