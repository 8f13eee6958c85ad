import { spawn } from 'node:child_process';
import { BackupErrors } from './errors.ts';

/** Runs a program to its end; its stderr becomes the error's message when it fails. */
export function runProgram(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', (error) => reject(BackupErrors.BACKUP_PROGRAM_FAILED({ program, output: error.message })));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(BackupErrors.BACKUP_PROGRAM_FAILED({ program, output: stderr.trim() || `exit ${code ?? signal}` }));
    });
  });
}
