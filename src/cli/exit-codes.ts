/**
 * The command line's exit codes. Scripts branch on them, so they are part of the interface:
 * documented in docs/cli.md and never renumbered.
 */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** Anything not named below: a local file that cannot be read, a server-side command that failed. */
  error: 1,
  /** The command line itself was wrong: an unknown command or option, a missing argument. */
  usage: 2,
  /** No credentials, or the server refused them (401, 403). */
  auth: 3,
  /** The project, model, version, environment or file does not exist (404). */
  notFound: 4,
  /** The server refused the request as it stands: invalid input, a conflict (400, 409, 422). */
  refused: 5,
  /** The server failed (5xx) or could not be reached. */
  server: 6,
  /** What the command waited for ended badly: a pipeline or job failed or was canceled. */
  jobFailed: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the command line reports in one line and exits with its code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code for an HTTP status the server answered with. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === 404) return ExitCode.notFound;
  if (status >= 500) return ExitCode.server;
  return ExitCode.refused;
}
