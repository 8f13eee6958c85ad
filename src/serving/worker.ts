import type { Logger } from 'pino';
import type { DeploymentsWorker } from '../deployments/worker.ts';
import { Periodic } from '../shared/periodic.ts';
import type { GateEvaluator } from './gate-evaluator.ts';
import type { ServingMetrics } from './metrics-recorder.ts';

/** Gateway counts reach the database this often (the gates read them from there). */
export const FLUSH_MS = 2000;

/**
 * The serving side's background work in each replica: flush the gateway's counts, evaluate
 * canary gates (one replica at a time), and the deployments domain's rounds.
 */
export class ServingWorker {
  private readonly periodic: Periodic;
  private lastGates = 0;

  constructor(
    private readonly deps: { metrics: ServingMetrics; gates: GateEvaluator; deployments: DeploymentsWorker; gateIntervalMs: number },
    private readonly logger: Logger,
  ) {
    this.periodic = new Periodic(
      () => this.round(),
      (error) => this.logger.error({ err: error }, 'serving background work failed'),
    );
  }

  start(): void {
    this.periodic.start(FLUSH_MS);
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
    await this.deps.metrics.flush();
  }

  private async round(): Promise<void> {
    await this.deps.metrics.flush();
    await this.deps.deployments.tick();
    if (Date.now() - this.lastGates >= this.deps.gateIntervalMs) {
      this.lastGates = Date.now();
      await this.deps.gates.tick();
    }
  }
}
