import { describe, expect, it } from 'vitest';
import { EnvironmentTargets } from '../../src/targets/environment-targets.ts';
import type { DeploymentTarget, TargetEnvironment } from '../../src/targets/target.ts';

function recording(name: string, calls: string[]): DeploymentTarget {
  return {
    apply: async (env) => void calls.push(`${name}.apply ${env.id}`),
    stop: async (env) => void calls.push(`${name}.stop ${env.id}`),
    status: async () => ({
      instances: [{ runnerId: 0, instanceId: name, versionId: 1, state: 'ready', endpoint: null, upstream: null, restarts: 0, message: '', reportedAt: 0, reporting: true, ready: false }],
    }),
  };
}

const env = (target: TargetEnvironment['target']): TargetEnvironment => ({ id: 7, projectId: 1, name: 'production', state: 'available', routing: 'gateway', target });
const deployment = { id: 1, policy: 'single' as const, variants: [] };

describe('each environment its own target', () => {
  it('sends apply, status and stop to the target the environment names', async () => {
    const calls: string[] = [];
    const targets = new EnvironmentTargets({ agent: recording('agent', calls), kserve: recording('kserve', calls), vertex: recording('vertex', calls) });
    await targets.apply(env('agent'), deployment);
    await targets.stop(env('kserve'));
    expect((await targets.status(env('kserve'))).instances[0]!.instanceId).toBe('kserve');
    expect((await targets.status(env('agent'))).instances[0]!.instanceId).toBe('agent');
    await targets.apply(env('vertex'), deployment);
    expect((await targets.status(env('vertex'))).instances[0]!.instanceId).toBe('vertex');
    expect(calls).toEqual(['agent.apply 7', 'kserve.stop 7', 'vertex.apply 7', 'agent.stop 7']);
  });

  it('wakes the agents when an environment that moved to KServe is applied, so they drop it at once', async () => {
    const calls: string[] = [];
    const targets = new EnvironmentTargets({ agent: recording('agent', calls), kserve: recording('kserve', calls), vertex: recording('vertex', calls) });
    await targets.apply(env('kserve'), deployment);
    expect(calls).toEqual(['kserve.apply 7', 'agent.stop 7']);
  });
});
