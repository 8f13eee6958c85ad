import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './servers.ts';

export interface StartupResult {
  label: string;
  medianMs: number;
  samples: number[];
}

/**
 * Time from spawning `modelyard serve` until /-/health answers, on an already set-up data
 * folder (migrations applied): what a restart or a new replica costs. `command` is the program
 * and its first arguments (the compiled build, or the sources through tsx as before the build).
 */
export async function benchStartup(label: string, command: string[], rounds: number): Promise<StartupResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
  const samples: number[] = [];
  try {
    for (let i = 0; i <= rounds; i++) {
      const port = await freePort();
      const started = performance.now();
      const child = spawn(command[0]!, [...command.slice(1), 'serve'], {
        env: { ...process.env, MODELYARD_PORT: String(port), MODELYARD_DATA_DIR: dataDir, MODELYARD_LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      });
      for (;;) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/-/health`)).ok) break;
        } catch {
          // not listening yet
        }
        if (child.exitCode !== null) throw new Error(`${label}: the server exited with ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      // The first round sets the data folder up (migrations, the administrator): not a restart.
      if (i > 0) samples.push(performance.now() - started);
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { label, medianMs: sorted[Math.floor(sorted.length / 2)]!, samples };
}
