import { describe, expect, it } from 'vitest';
import { commitSha, versionOfCommitSha } from '../../src/hub/git-objects.ts';
import { hubSlug, isHubName } from '../../src/hub/repo-names.ts';

describe('the Hub slug rule', () => {
  it('keeps a name the Hub accepts as it is', () => {
    for (const name of ['bert-tiny', 'Model_v2.1', 'a', '9']) expect(hubSlug(name), name).toBe(name);
  });

  it('makes other names fit the Hub', () => {
    expect(hubSlug('Détecteur de chats (v2)')).toBe('Detecteur-de-chats-v2');
    expect(hubSlug('fraud+detector')).toBe('fraud-detector');
    expect(hubSlug('--a---b..c--')).toBe('a-b.c');
    expect(hubSlug('.hidden.')).toBe('hidden');
    expect(hubSlug('mirror.git')).toBe('mirror-git');
    expect(hubSlug('x'.repeat(120))).toBe('x'.repeat(96));
    expect(hubSlug(`${'y'.repeat(95)} z`)).toBe('y'.repeat(95));
    expect(hubSlug('模型')).toBeNull();
    expect(hubSlug('---')).toBeNull();
  });

  it('gives only names that huggingface_hub validate_repo_id accepts', () => {
    for (const name of ['a b', 'é', 'a..b', 'a--b', '.x', 'x-', 'a.git', '(1)', 'Ünïcødé мир model']) {
      const slug = hubSlug(name);
      if (slug !== null) expect(isHubName(slug) && slug.length <= 96 && !/--|\.\./.test(slug) && /^\w.*\w$|^\w$/.test(slug), `${name} -> ${slug}`).toBe(true);
    }
  });
});

describe('commit shas', () => {
  const files = [
    { path: 'b.bin', size: 2, sha256: 'b'.repeat(64) },
    { path: 'a.json', size: 1, sha256: 'a'.repeat(64) },
  ];

  it('are 40 hex digits, the same for the same files in any order, and name their version', () => {
    const sha = commitSha(7, files);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(commitSha(7, [...files].reverse())).toBe(sha);
    expect(versionOfCommitSha(sha)).toBe(7);
  });

  it('differ when a file, its content or the version differs', () => {
    const sha = commitSha(7, files);
    expect(commitSha(8, files)).not.toBe(sha);
    expect(commitSha(7, [files[0]!])).not.toBe(sha);
    expect(commitSha(7, [files[0]!, { ...files[1]!, sha256: 'c'.repeat(64) }])).not.toBe(sha);
  });

  it('are told apart from other revisions', () => {
    expect(versionOfCommitSha('1.0.0')).toBeNull();
    expect(versionOfCommitSha('0'.repeat(40))).toBeNull();
    expect(versionOfCommitSha('A'.repeat(40))).toBeNull();
  });
});
