import type { Logger } from 'pino';
import { Periodic } from '../shared/periodic.ts';
import type { JobArtifactsService } from './job-artifacts-service.ts';
import type { JobHandouts } from './job-handouts.ts';
import type { JobLifecycle } from './job-lifecycle.ts';
import type { RegistryTriggers } from './registry-triggers.ts';

/**
 * The server's background CI duties, each safe on any number of replicas: start pipelines for
 * registry events, put back jobs no runner confirmed taking, fail jobs whose runner vanished or
 * whose time ran out, and delete expired
 * job artifacts.
 */
export class CiWorker {
  private readonly periodic: Periodic;
  private lastCleanup = 0;

  constructor(
    private readonly deps: { triggers: RegistryTriggers; lifecycle: JobLifecycle; handouts: JobHandouts; artifacts: JobArtifactsService; heartbeatTimeoutMs: number; pickupTimeoutMs: number },
    private readonly logger: Logger,
  ) {
    this.periodic = new Periodic(
      () => this.round(),
      (error) => this.logger.error({ err: error }, 'CI background work failed'),
    );
  }

  start(intervalMs = 1000): void {
    this.periodic.start(intervalMs);
  }

  /** Resolves when a round in flight has ended. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  tick(): Promise<void> {
    return this.periodic.tick();
  }

  private async round(): Promise<void> {
    await this.deps.triggers.tick();
    const requeued = await this.deps.handouts.requeueUnconfirmed(this.deps.pickupTimeoutMs);
    if (requeued > 0) this.logger.info({ requeued }, 'put back jobs that no runner confirmed taking');
    const failed = await this.deps.lifecycle.failStale(this.deps.heartbeatTimeoutMs);
    if (failed > 0) this.logger.info({ failed }, 'failed jobs whose runner stopped reporting or whose time ran out');
    if (Date.now() - this.lastCleanup > 60_000) {
      this.lastCleanup = Date.now();
      await this.deps.artifacts.deleteExpired();
    }
  }
}
