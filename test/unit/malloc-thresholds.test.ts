import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const script = path.join(import.meta.dirname, '../support/scripts/heap-given-back.ts');
/** MB of freed 64 KiB buffers that a fresh process hands back to the kernel. */
const givenBack = (mode: 'default' | 'raise') => Number(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, mode], { encoding: 'utf8' }));

describe('raiseMallocThresholds', () => {
  it('keeps freed body-sized buffers mapped for reuse instead of handing them back to the kernel', (context) => {
    // The control shows the measure works: glibc's defaults give nearly all 16 MiB back. Where
    // they do not (another C library, GLIBC_TUNABLES or MALLOC_* set by the machine, as on one
    // CI machine that gave 0 MB back), there is nothing for the call to prevent, and the test
    // says so as skipped rather than passing.
    const control = givenBack('default');
    if (control <= 12) context.skip(`this machine's C library keeps freed memory anyway (${control} MB given back by default)`);
    expect(givenBack('raise')).toBeLessThan(2);
  });
});
