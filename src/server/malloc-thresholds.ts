import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * Keeps glibc from handing freed heap memory back to the kernel after every burst of uploads.
 *
 * Why: Node's HTTP parser copies each body chunk (64 KiB) into a newly malloc'd buffer, and
 * the garbage collector frees thousands of them at once. With glibc's default thresholds the
 * freed top of the heap (over 128 KiB) goes back to the kernel and the next chunks fault fresh
 * zeroed pages in: 15-20% of the request thread's time in a 2 GiB upload on the benchmark
 * machine. glibc raises its mmap threshold, and the trim threshold to twice that, the first
 * time a large mapped block (up to 32 MiB) is freed. This frees one 16 MiB block now, on a
 * thread that ends at once, so that this happens at start-up and not at some garbage
 * collection after the first large upload. Up to 32 MiB of freed memory may then stay mapped.
 * Other C libraries (musl) ignore it.
 */
const BLOCK_BYTES = 16 * 1024 * 1024 - 4096;

export async function raiseMallocThresholds(): Promise<void> {
  try {
    const worker = new Worker(`Buffer.allocUnsafeSlow(${BLOCK_BYTES});`, { eval: true });
    await once(worker, 'exit');
  } catch {
    // Only a speed-up: a server that cannot start this thread (a thread limit) still serves.
  }
}
