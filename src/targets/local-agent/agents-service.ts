import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { AGENT_TOKEN_PREFIX, type CheckInBody } from '../../agent-protocol/protocol.ts';
import type { Caller } from '../../auth/caller.ts';
import type { ProjectAccess } from '../../auth/policy.ts';
import { secretHint, sha256Hex } from '../../auth/secrets.ts';
import type { Schema } from '../../db/schema.ts';
import { recordChange } from '../../events/outbox.ts';
import { now } from '../../shared/clock.ts';
import type { ServingAgentsTable } from '../tables.ts';
import type { Agent, CreateAgentBody, CreatedAgent } from './contract.ts';
import { AgentErrors } from './errors.ts';

export type AgentRow = Selectable<ServingAgentsTable>;

/** The labels an agent serves with: those it was created with and those it gave at check-in. */
export const agentLabels = (agent: Pick<AgentRow, 'labels' | 'reported_labels'>): string[] => [
  ...new Set([...(JSON.parse(agent.labels) as string[]), ...(JSON.parse(agent.reported_labels) as string[])]),
];

interface AgentInfo {
  version?: string;
  platform?: string;
  python?: { version: string; mlflow: string };
}

/**
 * Serving agents, registered like runners: a project's maintainers create agents for their
 * project, administrators instance agents that serve any project. Each gets a token
 * (`glagent-…`), shown once and stored as its SHA-256, which it sends on every protocol call.
 */
export class AgentsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly staleMs: number,
  ) {}

  async create(caller: Caller, projectId: number | null, body: CreateAgentBody): Promise<CreatedAgent> {
    const token = AGENT_TOKEN_PREFIX + randomBytes(24).toString('base64url');
    const labels = [...new Set(body.labels ?? [])];
    const row = await this.db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto('serving_agents')
        .values({
          token_hash: sha256Hex(token),
          token_hint: secretHint(token),
          description: body.description ?? '',
          labels: JSON.stringify(labels),
          reported_labels: '[]',
          info: '{}',
          project_id: projectId,
          creator_id: caller.user?.id ?? null,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(
        trx,
        caller,
        { type: 'deployments.agent.created', projectId, payload: { agent_id: created.id, description: created.description, labels, scope: projectId === null ? 'instance' : 'project' } },
        { action: 'deployments.agent.created', targetType: 'serving_agent', targetId: created.id, details: { description: created.description, labels } },
      );
      return created;
    });
    return { id: row.id, description: row.description, labels, project_id: row.project_id, created_at: new Date(row.created_at).toISOString(), token };
  }

  /** A project's agents and the instance's (which serve it too), or, for administrators, every agent. */
  async list(scope: { projectId: number } | 'all', window: { offset: number; limit: number }): Promise<{ total: number; items: AgentRow[] }> {
    let base = this.db.selectFrom('serving_agents');
    if (scope !== 'all') base = base.where((eb) => eb.or([eb('project_id', '=', scope.projectId), eb('project_id', 'is', null)]));
    const [count, items] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('id').offset(window.offset).limit(window.limit).execute(),
    ]);
    return { total: Number(count.n), items };
  }

  /** Removes a project's agent (`access`) or an instance agent (null: the administrators' route). */
  async delete(caller: Caller, access: ProjectAccess | null, agentId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('serving_agents').selectAll().where('id', '=', agentId).executeTakeFirst();
      const projectId = access?.project.id ?? null;
      if (!row || row.project_id !== projectId) throw AgentErrors.AGENT_NOT_FOUND({ id: agentId });
      await trx.deleteFrom('serving_agents').where('id', '=', row.id).execute();
      const labels = JSON.parse(row.labels) as string[];
      await recordChange(
        trx,
        caller,
        { type: 'deployments.agent.deleted', projectId, payload: { agent_id: row.id, description: row.description, labels, scope: projectId === null ? 'instance' : 'project' } },
        { action: 'deployments.agent.deleted', targetType: 'serving_agent', targetId: row.id, details: { description: row.description } },
      );
    });
  }

  /** The agent a protocol call comes from (`Authorization: Bearer glagent-…`). */
  async authenticate(authorization: string | undefined): Promise<AgentRow> {
    const [scheme, token] = (authorization ?? '').trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() !== 'bearer' || !token?.startsWith(AGENT_TOKEN_PREFIX)) throw AgentErrors.INVALID_AGENT_TOKEN();
    const row = await this.db.selectFrom('serving_agents').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
    if (!row) throw AgentErrors.INVALID_AGENT_TOKEN();
    return row;
  }

  /** Every call counts as contact: an agent silent for longer than the stale window is not trusted to serve. */
  async touch(agent: AgentRow, ip: string | null): Promise<AgentRow> {
    const at = now();
    await this.db.updateTable('serving_agents').set({ contacted_at: at, ip }).where('id', '=', agent.id).execute();
    return { ...agent, contacted_at: at, ip };
  }

  async checkIn(agent: AgentRow, body: CheckInBody, ip: string | null): Promise<AgentRow> {
    const info: AgentInfo = { version: body.version, platform: body.platform, ...(body.python ? { python: { version: body.python.version, mlflow: body.python.mlflow } } : {}) };
    const reported = JSON.stringify([...new Set(body.labels ?? [])]);
    const at = now();
    await this.db
      .updateTable('serving_agents')
      .set({ info: JSON.stringify(info), reported_labels: reported, contacted_at: at, ip })
      .where('id', '=', agent.id)
      .execute();
    return { ...agent, info: JSON.stringify(info), reported_labels: reported, contacted_at: at, ip };
  }

  isReporting(agent: Pick<AgentRow, 'contacted_at'>, at = now()): boolean {
    return agent.contacted_at !== null && at - agent.contacted_at <= this.staleMs;
  }

  async present(rows: AgentRow[]): Promise<Agent[]> {
    const ids = rows.map((r) => r.id);
    const counts =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom('agent_instances')
            .select(['agent_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where('agent_id', 'in', ids)
            .where('state', '!=', 'stopped')
            .groupBy('agent_id')
            .execute();
    return rows.map((row) => {
      const info = JSON.parse(row.info) as AgentInfo;
      return {
        id: row.id,
        description: row.description,
        labels: JSON.parse(row.labels) as string[],
        reported_labels: JSON.parse(row.reported_labels) as string[],
        project_id: row.project_id,
        created_at: new Date(row.created_at).toISOString(),
        status: row.contacted_at === null ? 'never_contacted' : this.isReporting(row) ? 'online' : 'offline',
        contacted_at: row.contacted_at === null ? null : new Date(row.contacted_at).toISOString(),
        ip_address: row.ip,
        version: info.version ?? null,
        platform: info.platform ?? null,
        python: info.python ?? null,
        instances: Number(counts.find((c) => c.agent_id === row.id)?.n ?? 0),
      };
    });
  }
}
