import { describe, expect, it } from 'vitest';
import { describeModelCard } from '../../src/imports/hf/card-metadata.ts';
import { validRepositoryId, validRevision } from '../../src/imports/hf/repo-ids.ts';
import { selectedBy, validPatterns } from '../../src/imports/patterns.ts';
import { partSizeFor } from '../../src/imports/file-copy.ts';

describe('allow and ignore patterns, as the Hub clients read them', () => {
  const keep = (path: string, include: string[], exclude: string[] = []) => selectedBy(path, include, exclude);
  it('matches a name without "/" in any folder, a path with "/" whole, a trailing "/" as a folder', () => {
    expect(keep('model.safetensors', ['*.safetensors'])).toBe(true);
    expect(keep('sub/dir/model.safetensors', ['*.safetensors'])).toBe(true);
    expect(keep('onnx/model.onnx', ['onnx/*.onnx'])).toBe(true);
    expect(keep('other/onnx/model.onnx', ['onnx/*.onnx'])).toBe(false);
    expect(keep('onnx/deep/model.onnx', [], ['onnx/'])).toBe(false);
    expect(keep('.gitattributes', ['*'])).toBe(true);
    expect(keep('a.json', [], [])).toBe(true);
    expect(keep('a.json', ['*.bin'])).toBe(false);
  });
  it('matches ? and [sets], and keeps linear time on patterns a backtracking engine chokes on', () => {
    expect(keep('shard-3.bin', ['shard-?.bin'])).toBe(true);
    expect(keep('shard-10.bin', ['shard-?.bin'])).toBe(false);
    expect(keep('model-7.bin', ['model-[0-9].bin'])).toBe(true);
    expect(keep('model-x.bin', ['model-[!0-9].bin'])).toBe(true);
    expect(keep('model-7.bin', ['model-[!0-9].bin'])).toBe(false);
    expect(keep('x.bin', ['[.bin'])).toBe(false);
    expect(keep('[.bin', ['[.bin'])).toBe(true);
    const started = performance.now();
    expect(keep(`${'a'.repeat(4000)}.bin`, ['*a*a*a*a*a*a*a*a*a*a*b'])).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
  it('expands no braces (linear patterns) and refuses patterns that leave the repository', () => {
    expect(keep('a.json', ['{a,b}.json'])).toBe(false);
    expect(() => validPatterns(['../x'], 'include')).toThrow(/invalid pattern/);
    expect(() => validPatterns(['/etc/*'], 'include')).toThrow(/invalid pattern/);
    expect(() => validPatterns([' x'], 'include')).toThrow(/invalid pattern/);
  });
});

describe('repository ids and revisions', () => {
  it('accepts what huggingface_hub accepts', () => {
    for (const id of ['gpt2', 'google-bert/bert-base-uncased', 'org_1/model.v2']) expect(validRepositoryId(id)).toBe(id);
    for (const id of ['a/b/c', '-a/b', 'a/b-', 'a--b/c', 'a/b..c', 'a/b.git', 'a b/c', '', `a/${'x'.repeat(100)}`]) expect(() => validRepositoryId(id), id).toThrow();
  });
  it('takes branch, tag and commit names, not ones that would leave the URL segment', () => {
    for (const rev of ['main', 'v1.0', 'refs/pr/1', 'a'.repeat(40)]) expect(validRevision(rev)).toBe(rev);
    for (const rev of ['a..b', 'a b', 'x?y', '/main', 'main/', 'a\\b', 'x.lock']) expect(() => validRevision(rev), rev).toThrow();
  });
});

describe('the model card', () => {
  it('splits front matter from Markdown and maps the metadata to labels and tags', () => {
    const card = describeModelCard('---\nlicense: mit\ntags: [a, "b c", "x::y"]\nbase_model: [m1, m2]\n---\n# Title\n', 1000);
    expect(card.description).toBe('# Title');
    expect(card.license).toBe('mit');
    expect(card.labels).toEqual(['license::mit', 'a', 'b c']);
    expect(card.tags).toEqual({ 'huggingface.license': 'mit', 'huggingface.base_model': 'm1,m2', 'huggingface.tags': 'a,b c,x::y' });
  });
  it('reads a card without front matter, or with broken YAML, as Markdown only', () => {
    expect(describeModelCard('# Only text', 1000)).toEqual({ description: '# Only text', license: null, labels: [], tags: {} });
    expect(describeModelCard('---\n: [\n---\nbody', 1000).description).toBe('body');
    expect(describeModelCard(null, 1000).description).toBe('');
  });
});

describe('parts', () => {
  it('are 8 MiB, larger for files that would need more than 9000 of them (S3 allows 10,000)', () => {
    expect(partSizeFor(1)).toBe(8 * 1024 * 1024);
    expect(partSizeFor(200 * 1024 ** 3)).toBeGreaterThan(8 * 1024 * 1024);
    expect(Math.ceil((200 * 1024 ** 3) / partSizeFor(200 * 1024 ** 3))).toBeLessThanOrEqual(9000);
  });
});
