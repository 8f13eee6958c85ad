import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RunningUploadDigests } from '../../src/packages/running-upload-digests.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Feeds part `n` through a claim, as PackageUploads.putPart does; false if it was not claimed. */
function send(digests: RunningUploadDigests, n: number, text: string, accepted = true): boolean {
  const claim = digests.claim('u', n);
  if (!claim) return false;
  claim.hash.update(text);
  if (accepted) claim.accepted(sha256(text));
  else claim.refused();
  return true;
}

describe('the running SHA-256 of an upload', () => {
  it('is the file’s when every part came in order, a refused one rolled back', () => {
    const digests = new RunningUploadDigests();
    digests.start('u');
    expect(send(digests, 1, 'ab')).toBe(true);
    expect(send(digests, 2, 'garbage', false)).toBe(true);
    expect(send(digests, 2, 'cd')).toBe(true);
    expect(digests.finish('u', [sha256('ab'), sha256('cd')])).toBe(sha256('abcd'));
  });

  it('is given up for a part that is not the next one, or that comes while another is on the way', () => {
    const skipped = new RunningUploadDigests();
    skipped.start('u');
    expect(send(skipped, 2, 'cd')).toBe(false);
    expect(send(skipped, 1, 'ab')).toBe(false);
    expect(skipped.finish('u', [sha256('ab'), sha256('cd')])).toBeUndefined();

    const overlapping = new RunningUploadDigests();
    overlapping.start('u');
    const first = overlapping.claim('u', 1)!;
    expect(overlapping.claim('u', 1)).toBeUndefined();
    first.hash.update('ab');
    first.accepted(sha256('ab'));
    expect(overlapping.finish('u', [sha256('ab')])).toBeUndefined();
  });

  it('is given up when a part listed at completion is not the one hashed (replaced through another replica)', () => {
    const digests = new RunningUploadDigests();
    digests.start('u');
    send(digests, 1, 'ab');
    send(digests, 2, 'cd');
    expect(digests.finish('u', [sha256('ab'), sha256('CD')])).toBeUndefined();
    expect(digests.finish('u', [sha256('ab'), sha256('cd')])).toBeUndefined();
  });

  it('follows at most its capacity of uploads', () => {
    const digests = new RunningUploadDigests(1);
    digests.start('u');
    digests.start('v');
    expect(digests.claim('v', 1)).toBeUndefined();
    expect(digests.claim('u', 1)).toBeDefined();
  });
});
