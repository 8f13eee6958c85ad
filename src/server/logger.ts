import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.ts';

/**
 * Where a credential could sit in a log line: request headers, and the fields that carry
 * secrets in bodies, rows and errors (webhook and push secrets, CI variable values, tokens,
 * passwords). Nothing logs them today; this keeps a future `log.info({ hook })` from doing so.
 */
export const SECRET_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers["private-token"]',
  'req.headers["job-token"]',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-gitlab-token"]',
  'res.headers["set-cookie"]',
  ...['secret', 'webhook_secret', 'token', 'password', 'csrf_token', 'repository_url', 'credential'].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  'req.body.value',
  'body.value',
];

/** JSON lines on stdout, as log collectors expect; secrets never reach them. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: SECRET_LOG_PATHS, remove: true } }, destination);
}
