import fs from 'node:fs';
import path from 'node:path';
import { processStartTime } from './process-groups.ts';

/**
 * The agent's directory: `archives/` (unpacked versions by SHA-256), `processes/` (the process
 * groups of running model servers), `logs/` (each instance's server output) and `agent.lock`.
 * One agent at a time: a second one would kill the first one's servers as leftovers.
 */
export class WorkDir {
  readonly archives: string;
  readonly processes: string;
  readonly logs: string;
  private readonly lockFile: string;

  constructor(readonly root: string) {
    this.archives = path.join(root, 'archives');
    this.processes = path.join(root, 'processes');
    this.logs = path.join(root, 'logs');
    this.lockFile = path.join(root, 'agent.lock');
  }

  /** Takes the directory for this process, or fails if a live agent holds it. */
  lock(): void {
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const holder = this.holder();
    if (holder && holder.pid !== process.pid && holderAlive(holder)) {
      throw new Error(`another agent (pid ${holder.pid}) uses ${this.root}; give each agent a work directory of its own (--work-dir)`);
    }
    fs.writeFileSync(this.lockFile, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }), { mode: 0o600 });
  }

  unlock(): void {
    if (this.holder()?.pid === process.pid) fs.rmSync(this.lockFile, { force: true });
  }

  private holder(): { pid: number; startTime: string | null } | null {
    try {
      return JSON.parse(fs.readFileSync(this.lockFile, 'utf8')) as { pid: number; startTime: string | null };
    } catch {
      return null;
    }
  }
}

/** Off Linux there is no start time to compare: a live process with the pid counts as the holder. */
function holderAlive(holder: { pid: number; startTime: string | null }): boolean {
  if (holder.startTime !== null) return processStartTime(holder.pid) === holder.startTime;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch {
    return false;
  }
}
