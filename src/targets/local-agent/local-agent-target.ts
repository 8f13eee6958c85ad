import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { OutboundPolicy } from '../../outbound/outbound-policy.ts';
import type { InstanceReport } from '../../agent-protocol/protocol.ts';
import type { Schema } from '../../db/schema.ts';
import { now } from '../../shared/clock.ts';
import type { DeploymentTarget, TargetEnvironment, TargetStatus } from '../target.ts';
import type { AgentRow } from './agents-service.ts';
import type { AssignmentsService, AssignedInstance } from './assignments.ts';
import { loopbackUpstream, ReportedEndpoints } from '../upstream-admission.ts';
import { AgentErrors } from './errors.ts';

/**
 * The local-agent target: `apply` and `stop` only wake the agents' long polls, because the
 * desired state is the environment's current deployment, already committed, which agents read
 * as their assignments (src/targets/local-agent/assignments.ts). `status` is what the agents
 * reported, each instance trusted only while its agent keeps calling.
 */
export class LocalAgentTarget implements DeploymentTarget {
  private readonly reportListeners: ((environmentId: number) => Promise<void>)[] = [];
  /** Endpoints off loopback (an agent in a pod of its own) pass the outbound address policy. */
  private readonly endpoints: ReportedEndpoints;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly assignments: AssignmentsService,
    private readonly staleMs: number,
    deps: { outbound: OutboundPolicy; logger: Logger },
  ) {
    this.endpoints = new ReportedEndpoints(deps, 'an agent');
  }

  async apply(): Promise<void> {
    this.assignments.notify();
  }

  async stop(): Promise<void> {
    this.assignments.notify();
  }

  async status(environment: TargetEnvironment): Promise<TargetStatus> {
    const rows = await this.db
      .selectFrom('agent_instances')
      .innerJoin('serving_agents', 'serving_agents.id', 'agent_instances.agent_id')
      .select([
        'agent_instances.agent_id',
        'agent_instances.instance_id',
        'agent_instances.version_id',
        'agent_instances.state',
        'agent_instances.endpoint',
        'agent_instances.restarts',
        'agent_instances.message',
        'agent_instances.reported_at',
        'serving_agents.contacted_at',
      ])
      .where('agent_instances.environment_id', '=', environment.id)
      .orderBy('agent_instances.agent_id')
      .orderBy('agent_instances.instance_id')
      .execute();
    const at = now();
    const instances = rows.map((row) => {
      const reporting = row.contacted_at !== null && at - row.contacted_at <= this.staleMs;
      const upstream = row.endpoint === null ? null : loopbackUpstream(row.endpoint);
      return {
        runnerId: row.agent_id,
        instanceId: row.instance_id,
        versionId: row.version_id,
        state: row.state,
        endpoint: row.endpoint,
        upstream,
        restarts: row.restarts,
        message: row.message,
        reportedAt: row.reported_at,
        reporting,
        ready: reporting && row.state === 'ready' && row.endpoint !== null,
      };
    });
    return { instances: await this.endpoints.admit(environment, instances) };
  }

  /** Called with the environment after each report (a deployment may have rolled out). */
  onReport(listener: (environmentId: number) => Promise<void>): void {
    this.reportListeners.push(listener);
  }

  /**
   * An agent's report on one instance. An instance no longer assigned to it answers 404, and
   * the agent stops it; what it said is forgotten.
   */
  async report(agent: AgentRow, instanceId: string, body: InstanceReport): Promise<AssignedInstance> {
    const { instances } = await this.assignments.compute(agent);
    const assigned = instances.find((i) => i.wire.instance_id === instanceId);
    if (!assigned) {
      await this.db.deleteFrom('agent_instances').where('agent_id', '=', agent.id).where('instance_id', '=', instanceId).execute();
      throw AgentErrors.INSTANCE_NOT_ASSIGNED({ id: instanceId });
    }
    if (body.endpoint !== undefined) await this.assertEndpointFree(agent, body.endpoint);
    const values = {
      environment_id: assigned.wire.environment.id,
      version_id: assigned.version.versionId,
      state: body.state,
      endpoint: body.endpoint ?? null,
      restarts: body.restarts,
      message: body.message ?? '',
      reported_at: now(),
    };
    await this.db
      .insertInto('agent_instances')
      .values({ agent_id: agent.id, instance_id: instanceId, ...values })
      .onConflict((oc) => oc.columns(['agent_id', 'instance_id']).doUpdateSet(values))
      .execute();
    for (const listener of this.reportListeners) await listener(assigned.wire.environment.id);
    return assigned;
  }

  /**
   * Two agents cannot both listen on one address and port. An endpoint another agent (still
   * reporting) holds is refused: otherwise one project's agent could name another project's
   * model server and have the gateway serve it under the first project's environment and serve
   * tokens. Once that agent goes silent, its address may be another's.
   */
  private async assertEndpointFree(agent: AgentRow, endpoint: string): Promise<void> {
    const holders = await this.db
      .selectFrom('agent_instances')
      .innerJoin('serving_agents', 'serving_agents.id', 'agent_instances.agent_id')
      .select('serving_agents.contacted_at')
      .where('agent_instances.endpoint', '=', endpoint)
      .where('agent_instances.agent_id', '!=', agent.id)
      .execute();
    const at = now();
    if (holders.some((h) => h.contacted_at !== null && at - h.contacted_at <= this.staleMs)) throw AgentErrors.ENDPOINT_HELD_BY_ANOTHER_AGENT({ endpoint });
  }

  /** Forgets what an agent reported about instances it no longer runs (its assignments changed). */
  async forgetUnassigned(agent: AgentRow, assigned: readonly string[]): Promise<void> {
    let query = this.db.deleteFrom('agent_instances').where('agent_id', '=', agent.id);
    if (assigned.length > 0) query = query.where('instance_id', 'not in', [...assigned]);
    await query.execute();
  }
}
