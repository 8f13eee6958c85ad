import type { DeploymentTarget, TargetDeployment, TargetEnvironment, TargetStatus } from './target.ts';

/** Each environment's own target (its `target` column): the local agents, or KServe. */
export class EnvironmentTargets implements DeploymentTarget {
  constructor(private readonly targets: Record<TargetEnvironment['target'], DeploymentTarget>) {}

  async apply(environment: TargetEnvironment, deployment: TargetDeployment): Promise<void> {
    await this.targets[environment.target].apply(environment, deployment);
    // An environment that moved off the agents: they are woken to drop it now, not at their next poll.
    if (environment.target !== 'agent') await this.targets.agent.stop(environment);
  }

  status(environment: TargetEnvironment): Promise<TargetStatus> {
    return this.targets[environment.target].status(environment);
  }

  stop(environment: TargetEnvironment): Promise<void> {
    return this.targets[environment.target].stop(environment);
  }
}
