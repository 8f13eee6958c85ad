import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.ts';

/** JSON lines on stdout, as log collectors expect; secrets in headers never reach them. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers["private-token"]', 'req.headers["job-token"]', 'req.headers.cookie'], remove: true },
  });
}
