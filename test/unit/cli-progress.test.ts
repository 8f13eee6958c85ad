import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/client/progress.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns: 100, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
}

describe('the transfer progress bar', () => {
  it('draws on a terminal and erases its line when done', () => {
    const { written, stream: tty } = stream(true);
    const bar = progressBar('uploading model.onnx', 2048, tty);
    bar.advance(1024);
    expect(written.join('')).toMatch(/^\r\x1b\[Kuploading model\.onnx \[#+\.+\] 50% 1\.0 KiB \/ 2\.0 KiB$/);
    bar.done();
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('writes nothing when standard error is a file or a pipe', () => {
    const { written, stream: pipe } = stream(false);
    const bar = progressBar('uploading model.onnx', 2048, pipe);
    bar.advance(2048);
    bar.done();
    expect(written).toEqual([]);
  });
});
