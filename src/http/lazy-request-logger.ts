import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilent, Logger } from 'pino';

type LogLevel = Exclude<LevelWithSilent, 'silent'>;
type LogArguments = Parameters<FastifyBaseLogger['info']>;

/**
 * The logger Fastify hands each request: pino's child bound to the request id, made on the
 * first line the request actually writes. pino builds a child's bindings at once (through
 * the redaction paths), which costs a gateway hop more than its route lookup, and most
 * requests write no line at all (the request line is at debug level).
 */
class LazyRequestLogger implements FastifyBaseLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  private real(): Logger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  private write(level: LogLevel, args: LogArguments): void {
    if ((this.made ?? this.parent).isLevelEnabled(level)) (this.real()[level] as (...a: LogArguments) => void)(...args);
  }

  fatal(...args: LogArguments): void {
    this.write('fatal', args);
  }
  error(...args: LogArguments): void {
    this.write('error', args);
  }
  warn(...args: LogArguments): void {
    this.write('warn', args);
  }
  info(...args: LogArguments): void {
    this.write('info', args);
  }
  debug(...args: LogArguments): void {
    this.write('debug', args);
  }
  trace(...args: LogArguments): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}

/**
 * Fastify's `childLoggerFactory`: lazy children for routes that keep the server's level; a
 * route with its own level (`logLevel`) gets pino's child at once, as Fastify would make it.
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (options.level !== undefined) return logger.child(bindings, options);
  return new LazyRequestLogger(logger as unknown as Logger, bindings);
}
