import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ScriptOutcome {
  exitCode: number;
  /** Ended by `stop()` (cancel or timeout) rather than by itself. */
  stopped: boolean;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * A job's commands as one bash script, as GitLab's shell executor runs them: each command
 * echoed in green before it runs, the first failing one ending the script (`set -eo pipefail`).
 */
export function scriptOf(commands: string[]): string {
  const lines = ['#!/usr/bin/env bash', 'set -eo pipefail'];
  for (const command of commands) {
    lines.push(`printf '\\033[32;1m$ %s\\033[0;m\\n' ${quote(command)}`);
    lines.push(command);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs commands in bash, in their own process group so that stopping them stops everything
 * they started (a training script's workers too): SIGTERM, then SIGKILL after a grace period.
 */
export function runCommands(options: {
  commands: string[];
  cwd: string;
  scriptDir: string;
  name: string;
  env: NodeJS.ProcessEnv;
  onOutput: (text: string) => void;
  signal: AbortSignal;
  killGraceMs?: number;
}): Promise<ScriptOutcome> {
  const file = path.join(options.scriptDir, `${options.name}.sh`);
  fs.writeFileSync(file, scriptOf(options.commands), { mode: 0o700 });
  return new Promise((resolve) => {
    const child = spawn('bash', [file], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stopped = false;
    const stop = () => {
      stopped = true;
      const signalGroup = (sig: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          // already gone
        }
      };
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), options.killGraceMs ?? 5000).unref();
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
    child.stdout.setEncoding('utf8').on('data', options.onOutput);
    child.stderr.setEncoding('utf8').on('data', options.onOutput);
    child.on('error', (error) => {
      options.onOutput(`failed to start bash: ${error.message}\n`);
      resolve({ exitCode: 127, stopped });
    });
    child.on('close', (code, sig) => {
      options.signal.removeEventListener('abort', stop);
      resolve({ exitCode: code ?? (sig ? 128 : 1), stopped });
    });
  });
}
