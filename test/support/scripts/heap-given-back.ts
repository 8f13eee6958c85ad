// Run in a child process by test/unit/malloc-thresholds.test.ts (needs --expose-gc): frees
// 16 MiB of 64 KiB buffers, as the HTTP parser's body chunks are freed, and prints how many
// MB of resident memory the C library handed back to the kernel. With `raise` it first calls
// raiseMallocThresholds, as the server does at start.
import { raiseMallocThresholds } from '../../../src/server/malloc-thresholds.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
/** Garbage collection frees array buffers' memory a little later, on another pass. */
async function collect(): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

if (process.argv[2] === 'raise') await raiseMallocThresholds();
await collect();
let chunks: Buffer[] = [];
for (let i = 0; i < 256; i++) chunks.push(Buffer.allocUnsafeSlow(65_536).fill(i));
const full = process.memoryUsage.rss();
chunks = [];
await collect();
process.stdout.write(String((full - process.memoryUsage.rss()) / 1024 / 1024));
