import type { InstanceReport } from '../agent-protocol/protocol.ts';
import { Backoff, sleep } from './backoff.ts';
import type { AgentClient } from './protocol-client.ts';

/**
 * Sends instance reports, one instance at a time in order, retrying with back-off while the
 * server cannot be reached. Only the latest state of an instance matters, so a report not yet
 * sent is replaced by a newer one: an agent that lost the server for an hour sends one report
 * per instance when it is back, not an hour of them.
 */
export class Reporter {
  private readonly pending = new Map<string, InstanceReport>();
  private readonly draining = new Map<string, Promise<void>>();
  private closed = false;
  private readonly shutdown = new AbortController();

  constructor(
    private readonly client: AgentClient,
    private readonly options: { backoffInitialMs: number; backoffMaxMs: number; log: (line: string) => void; onGone: (instanceId: string) => void },
  ) {}

  report(instanceId: string, report: InstanceReport): void {
    if (this.closed) return;
    this.pending.set(instanceId, report);
    if (!this.draining.has(instanceId)) {
      const drain = this.drain(instanceId).finally(() => this.draining.delete(instanceId));
      this.draining.set(instanceId, drain);
    }
  }

  private async drain(instanceId: string): Promise<void> {
    const backoff = new Backoff(this.options.backoffInitialMs, this.options.backoffMaxMs);
    for (let report = this.pending.get(instanceId); report && !this.shutdown.signal.aborted; report = this.pending.get(instanceId)) {
      this.pending.delete(instanceId);
      try {
        if ((await this.client.report(instanceId, report)) === 'gone') {
          this.pending.delete(instanceId);
          if (report.state !== 'stopped') this.options.onGone(instanceId);
        }
        backoff.reset();
      } catch (error) {
        // A newer report may have arrived meanwhile; it supersedes this one.
        if (!this.pending.has(instanceId)) this.pending.set(instanceId, report);
        const wait = backoff.next();
        this.options.log(`reporting ${instanceId} ${report.state} failed: ${(error as Error).message}; retrying in ${wait / 1000} s`);
        await sleep(wait, this.shutdown.signal);
      }
    }
  }

  /** Sends what is pending for up to `timeoutMs`, then gives up on the rest and takes no more. */
  async close(timeoutMs: number): Promise<void> {
    const all = Promise.all(this.draining.values());
    await Promise.race([all, sleep(timeoutMs)]);
    this.closed = true;
    this.shutdown.abort();
  }
}
