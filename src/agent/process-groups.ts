import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './backoff.ts';

/**
 * Model servers run in process groups of their own (spawned `detached`), so that stopping one
 * stops everything it started (MLflow's scoring server runs its web server as a child). Each
 * running group is recorded in the work directory, so that an agent killed with SIGKILL leaves
 * its successor the list of what to clean up.
 */
export interface GroupRecord {
  instanceId: string;
  /** The group's id: its leader's pid. */
  pgid: number;
  /** The leader's start time (Linux /proc), to tell it from a later process given the same pid. */
  startTime: string | null;
  port: number;
}

/** When a process started (clock ticks since boot, /proc/PID/stat field 22); null off Linux or when it is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether any process of the group is alive (and ours to signal). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs` if some of it is still there; resolves once it is gone. */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGKILL');
  const last = Date.now() + 5_000;
  while (groupAlive(pgid) && Date.now() < last) await sleep(50);
}

/** One file per running model server under `dir`. */
export class GroupRecords {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private file(instanceId: string): string {
    return path.join(this.dir, `${instanceId}.json`);
  }

  save(record: GroupRecord): void {
    const file = this.file(record.instanceId);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(record));
    fs.renameSync(`${file}.tmp`, file);
  }

  remove(instanceId: string): void {
    fs.rmSync(this.file(instanceId), { force: true });
  }

  all(): GroupRecord[] {
    return fs
      .readdirSync(this.dir)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => {
        try {
          return [JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) as GroupRecord];
        } catch {
          return [];
        }
      });
  }

  /**
   * Kills the groups a previous agent of this work directory left running, and forgets them.
   * A group is killed only while it is provably the recorded one: its leader alive with the
   * recorded start time, or its leader gone (the kernel gives no new process the id of a group
   * that still has members, so what remains of it is the old server's).
   */
  async killLeftovers(log: (line: string) => void): Promise<number> {
    let killed = 0;
    for (const record of this.all()) {
      const leaderStart = processStartTime(record.pgid);
      const leaderIsOurs = leaderStart !== null && leaderStart === record.startTime;
      const leaderGone = leaderStart === null && !leaderAlive(record.pgid);
      if ((leaderIsOurs || leaderGone) && groupAlive(record.pgid)) {
        log(`stopping the model server a previous agent left running for ${record.instanceId} (process group ${record.pgid}, port ${record.port})`);
        signalGroup(record.pgid, 'SIGKILL');
        killed++;
      }
      this.remove(record.instanceId);
    }
    return killed;
  }
}

/** Whether a process with this pid exists (whatever it is). */
function leaderAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
