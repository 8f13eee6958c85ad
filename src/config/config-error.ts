/**
 * A configuration problem, reported as one line naming the variable. In a module of its own so
 * that the command line can recognise it without loading the configuration reader (and the
 * schema library behind it) on every start.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}
