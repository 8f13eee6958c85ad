import type { Logger } from 'pino';
import type { PackageUploads } from './package-uploads.ts';

/** How often abandoned multipart uploads are looked for: they live a day, so an hour late is fine. */
const SWEEP_INTERVAL_MS = 3600 * 1000;

/** Removes expired package uploads and their parts, once at start and then every hour. */
export function sweepExpiredUploads(uploads: PackageUploads, logger: Logger, intervalMs = SWEEP_INTERVAL_MS): { stop(): Promise<void> } {
  const sweep = async () => {
    try {
      let removed = 0;
      for (let batch = await uploads.removeExpired(); batch > 0; batch = await uploads.removeExpired()) removed += batch;
      if (removed > 0) logger.info({ removed }, 'removed expired package uploads');
    } catch (error) {
      logger.warn({ err: error }, 'removing expired package uploads failed; trying again later');
    }
  };
  let running = sweep();
  const timer = setInterval(() => {
    running = running.then(sweep);
  }, intervalMs);
  timer.unref();
  // A sweep in flight finishes before the database it uses is closed.
  return {
    stop: () => {
      clearInterval(timer);
      return running;
    },
  };
}
