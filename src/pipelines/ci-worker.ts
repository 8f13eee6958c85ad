import type { Logger } from 'pino';
import type { JobArtifactsService } from './job-artifacts-service.ts';
import type { JobLifecycle } from './job-lifecycle.ts';
import { RegistryTriggers } from './registry-triggers.ts';
import type { Services } from '../server/services.ts';

/**
 * The server's background CI duties, each safe on any number of replicas: start pipelines for
 * registry events, fail jobs whose runner vanished or whose time ran out, and delete expired
 * job artifacts.
 */
export class CiWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private lastCleanup = 0;

  constructor(
    private readonly deps: { triggers: RegistryTriggers; lifecycle: JobLifecycle; artifacts: JobArtifactsService; heartbeatTimeoutMs: number },
    private readonly logger: Logger,
  ) {}

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.deps.triggers.tick();
      const failed = await this.deps.lifecycle.failStale(this.deps.heartbeatTimeoutMs);
      if (failed > 0) this.logger.info({ failed }, 'failed jobs whose runner stopped reporting or whose time ran out');
      if (Date.now() - this.lastCleanup > 60_000) {
        this.lastCleanup = Date.now();
        await this.deps.artifacts.deleteExpired();
      }
    } catch (error) {
      this.logger.error({ err: error }, 'CI background work failed');
    } finally {
      this.running = false;
    }
  }
}

export function ciWorkerFor(services: Services, logger: Logger): CiWorker {
  const triggers = new RegistryTriggers(services.database.db, services.ciSettings, services.pipelineCreator, logger);
  return new CiWorker({ triggers, lifecycle: services.jobLifecycle, artifacts: services.jobArtifacts, heartbeatTimeoutMs: services.config.ci.heartbeatTimeoutMs }, logger);
}
