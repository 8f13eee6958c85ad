import type { TargetInstance, TargetStatus } from '../targets/target.ts';
import type { EnvironmentHealth, HealthStatus, InstanceStatus } from './contract.ts';
import type { EnvironmentRow, VariantRow } from './records.ts';

function presentInstance(instance: TargetInstance): InstanceStatus {
  return {
    agent_id: instance.runnerId,
    instance_id: instance.instanceId,
    version_id: instance.versionId,
    state: instance.state,
    endpoint: instance.endpoint,
    restarts: instance.restarts,
    message: instance.message,
    reported_at: new Date(instance.reportedAt).toISOString(),
    agent_reporting: instance.reporting,
  };
}

/** Live variants that take traffic: each needs a ready instance for the environment to serve. */
const carriesTraffic = (v: VariantRow) => v.role === 'live' && v.weight > 0;

/** Whether every live variant with traffic has a ready instance (the deployment has rolled out). */
export function rolledOut(variants: VariantRow[], status: TargetStatus): boolean {
  const ready = new Set(status.instances.filter((i) => i.ready).map((i) => i.versionId));
  const needed = variants.filter(carriesTraffic);
  return needed.length > 0 && needed.every((v) => ready.has(v.version_id));
}

/**
 * How an environment serves, in one word and one sentence, from its current deployment and
 * what its target reports. An agent that stopped reporting is named as such: its instances
 * may still run, but nothing vouches for them, and the gateway skips them.
 */
export function environmentHealth(env: EnvironmentRow, variants: VariantRow[] | null, status: TargetStatus): EnvironmentHealth {
  if (env.state !== 'available') return { status: 'stopped', message: `the environment is ${env.state}`, variants: [] };
  if (variants === null) return { status: 'no_deployment', message: 'nothing is deployed here yet', variants: [] };
  const perVariant = variants.map((v) => {
    const instances = status.instances.filter((i) => i.versionId === v.version_id);
    return { variant: v, instances, ready: instances.filter((i) => i.ready).length };
  });
  const live = perVariant.filter((p) => carriesTraffic(p.variant));
  const unready = live.filter((p) => p.ready === 0);
  let verdict: HealthStatus;
  let message: string;
  if (unready.length === 0) {
    verdict = 'serving';
    message = `every live variant has a ready instance (${live.map((p) => `${p.variant.name}: ${p.ready}`).join(', ')})`;
  } else {
    const instances = unready.flatMap((p) => p.instances);
    const silent = instances.filter((i) => !i.reporting);
    const names = unready.map((p) => p.variant.name).join(', ');
    if (instances.length === 0) {
      verdict = unready.length === live.length ? 'down' : 'degraded';
      message = `no agent runs ${names} yet: start a modelyard agent${env.agent_labels !== '[]' ? ` with the labels ${env.agent_labels}` : ''} for this project`;
    } else if (silent.length === instances.length) {
      verdict = 'agent_not_reporting';
      message = `agent not reporting: the agents running ${names} have not called for a while (${[...new Set(silent.map((i) => i.runnerId))].map((id) => `agent ${id}`).join(', ')})`;
    } else if (instances.every((i) => ['fetching', 'starting'].includes(i.state))) {
      verdict = 'starting';
      message = `${names}: ${instances.map((i) => i.state).join(', ')}`;
    } else {
      verdict = unready.length === live.length ? 'down' : 'degraded';
      const reasons = instances.filter((i) => i.message !== '').map((i) => `${i.state}: ${i.message}`);
      message = `${names} has no ready instance${reasons.length > 0 ? ` (${reasons.slice(0, 3).join('; ')})` : ''}`;
    }
  }
  return {
    status: verdict,
    message,
    variants: perVariant.map((p) => ({ variant: p.variant.name, role: p.variant.role, version_id: p.variant.version_id, ready_instances: p.ready, instances: p.instances.map(presentInstance) })),
  };
}
