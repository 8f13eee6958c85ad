import type { DeploymentTarget, TargetDeployment, TargetEnvironment, TargetStatus } from './target.ts';

/** Each environment's own target (its `target` column): the local agents, or KServe. */
export class EnvironmentTargets implements DeploymentTarget {
  constructor(private readonly targets: Record<TargetEnvironment['target'], DeploymentTarget>) {}

  apply(environment: TargetEnvironment, deployment: TargetDeployment): Promise<void> {
    return this.targets[environment.target].apply(environment, deployment);
  }

  status(environment: TargetEnvironment): Promise<TargetStatus> {
    return this.targets[environment.target].status(environment);
  }

  stop(environment: TargetEnvironment): Promise<void> {
    return this.targets[environment.target].stop(environment);
  }
}
