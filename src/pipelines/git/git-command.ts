import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { redactCredentials } from './repository-url.ts';
import { PipelineErrors } from '../errors.ts';

/**
 * The one place that starts `git`. No shell is involved (arguments go to git as an array), git
 * never waits for a password on a terminal nobody watches, and what git prints is redacted
 * before it can reach a log or an API response.
 */
export interface GitOptions {
  timeoutMs: number;
  /** Written to git's stdin, then closed. */
  input?: string;
  /** Largest stdout accepted, in bytes. */
  maxBuffer?: number;
}

export interface GitOutcome {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

const DEFAULT_MAX_BUFFER = 4 * 1024 * 1024;
const MAX_STDERR_BYTES = 64 * 1024;

function gitEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    // Stable, English messages: they end up in errors that users and tests read.
    LC_ALL: 'C',
    // Inherited from a surrounding hook or shell, these would point git at another repository.
    GIT_DIR: undefined,
    GIT_WORK_TREE: undefined,
    GIT_INDEX_FILE: undefined,
    GIT_OBJECT_DIRECTORY: undefined,
    GIT_ALTERNATE_OBJECT_DIRECTORIES: undefined,
  };
}

export const gitFailed = (message: string) => PipelineErrors.GIT_COMMAND_FAILED({ detail: redactCredentials(message) });

/** The subcommand, for messages: the first argument that is neither an option nor a `-c` setting. */
function verbOf(args: readonly string[]): string {
  return args.find((arg, index) => !arg.startsWith('-') && args[index - 1] !== '-c') ?? 'git';
}

/** Runs git; a non-zero exit is an outcome, not an error. Timeouts and spawn failures throw. */
export function runGit(args: readonly string[], options: GitOptions): Promise<GitOutcome> {
  const verb = verbOf(args);
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        encoding: 'buffer',
        env: gitEnvironment(),
        timeout: options.timeoutMs,
        maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        // The end of what git (and the remote, through it) wrote is what explains a failure.
        const stderrText = redactCredentials(stderr.subarray(-MAX_STDERR_BYTES).toString('utf8').trim());
        if (error === null) {
          resolve({ exitCode: 0, stdout, stderr: stderrText });
          return;
        }
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null; code?: string | number };
        // Node kills git when the buffer overflows too, so this is told apart before a timeout.
        if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          reject(gitFailed(`git ${verb} produced more output than the ${options.maxBuffer ?? DEFAULT_MAX_BUFFER} bytes allowed`));
        } else if (failure.killed === true || failure.signal != null) {
          reject(gitFailed(`git ${verb} timed out after ${Math.round(options.timeoutMs / 1000)} s`));
        } else if (typeof failure.code === 'number') {
          resolve({ exitCode: failure.code, stdout, stderr: stderrText });
        } else {
          reject(gitFailed(`git ${verb} could not run: ${failure.message}`));
        }
      },
    );
    // git may exit before reading all of its input (an unknown object, say); that is not our error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs git and throws, with git's own (redacted) explanation, unless it exits 0. */
export async function runGitOrThrow(args: readonly string[], options: GitOptions): Promise<Buffer> {
  const outcome = await runGit(args, options);
  if (outcome.exitCode !== 0) {
    const verb = verbOf(args);
    const detail = outcome.stderr.split('\n').slice(-5).join('\n') || `exit code ${outcome.exitCode}`;
    throw gitFailed(`git ${verb} failed: ${detail}`);
  }
  return outcome.stdout;
}

/**
 * Starts a long-running git whose input and output are streams (serving a fetch); `env` adds
 * to git's environment (GIT_PROTOCOL). The caller ends it; stderr is read and dropped.
 */
export function spawnGit(args: readonly string[], env: Record<string, string> = {}): ChildProcessByStdio<Writable, Readable, Readable> {
  const child = spawn('git', args, { env: { ...gitEnvironment(), ...env }, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  child.stderr.resume();
  child.stdin.on('error', () => undefined);
  return child;
}

let installedVersion: Promise<[number, number]> | undefined;

/** The installed git's major and minor version, asked once; [0, 0] when it cannot be told. */
export function gitVersion(): Promise<[number, number]> {
  installedVersion ??= runGit(['version'], { timeoutMs: READ_VERSION_TIMEOUT_MS })
    .then((outcome) => {
      const match = /git version (\d+)\.(\d+)/.exec(outcome.stdout.toString('utf8'));
      return match ? ([Number(match[1]), Number(match[2])] as [number, number]) : ([0, 0] as [number, number]);
    })
    .catch(() => [0, 0] as [number, number]);
  return installedVersion;
}

const READ_VERSION_TIMEOUT_MS = 10_000;
