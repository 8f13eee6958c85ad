import { describe, expect, it } from 'vitest';
import { safeFileName, safeRelativePath } from '../../src/storage/safe-path.ts';

describe('safeRelativePath', () => {
  const refused = [
    '../etc/passwd',
    'a/../../b',
    'a/./b',
    '.',
    '..',
    '/etc/passwd',
    'a\\..\\b',
    'C:\\windows',
    'C:/windows',
    'a\u0000b',
    'a\nb',
    'a\u007fb',
    '%2e%2e/secret',
    'a/%2E%2E/b',
    '%2fetc/passwd',
    '%252e%252e/secret',
    'a/%25252e%25252e%25252fb',
    'a#b',
    'a?b',
    'a//b',
    '~/x',
    ' a',
    'a /b',
    'x'.repeat(1025),
    `${'y'.repeat(256)}/z`,
    '',
  ];
  for (const path of refused) {
    it(`refuses ${JSON.stringify(path.slice(0, 40))}`, () => {
      expect(() => safeRelativePath(path)).toThrow(/not allowed|missing|too long/);
    });
  }

  it('keeps a percent sign that no further decode would turn into a climb, as mlflow 2.x names its images', () => {
    const image = 'images/confusion%step%10%timestamp%1796171879420%0a2e5c9f-1d27-4adb-93d1-0ead3c19be36.png';
    expect(safeRelativePath(image)).toBe(image);
    expect(safeRelativePath('a%2Fb')).toBe('a%2Fb');
    expect(safeRelativePath('100%.txt')).toBe('100%.txt');
  });

  it('accepts and normalizes ordinary paths', () => {
    expect(safeRelativePath('1/abc/artifacts/model/MLmodel')).toBe('1/abc/artifacts/model/MLmodel');
    expect(safeRelativePath('dir/')).toBe('dir');
    expect(safeRelativePath('.hidden/a..b/résumé v1.txt')).toBe('.hidden/a..b/résumé v1.txt');
  });

  it('takes single names for package files', () => {
    expect(safeFileName('model.bin')).toBe('model.bin');
    expect(() => safeFileName('a/b')).toThrow();
  });
});
