import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Assignments, Instance, ServerSpec } from '../../agent-protocol/protocol.ts';
import { anonymousCaller } from '../../auth/caller.ts';
import { serverAccess } from '../../auth/policy.ts';
import type { Schema } from '../../db/schema.ts';
import type { ProjectsService } from '../../projects/projects-service.ts';
import { agentLabels, type AgentRow } from './agents-service.ts';
import type { VersionArchives } from './archives.ts';

/** How long an archive's digest is reused before the registry is asked again (files may be added to a version). */
const FILES_TTL_MS = 30_000;
/** How often a waiting request recomputes, for changes made on another replica. */
const POLL_MS = 1000;

/** Where an agent downloads an instance's files: the protocol's own route, checked against the assignment. */
export const instanceArchivePath = (instanceId: string) => `/api/v4/agent/instances/${encodeURIComponent(instanceId)}/archive`;

interface VersionFacts {
  projectId: number;
  modelId: number;
  modelName: string;
  versionId: number;
  version: number;
  semver: string;
}

/** An instance with the version behind it, as the protocol routes need it. */
export interface AssignedInstance {
  wire: Instance;
  version: VersionFacts;
}

/**
 * An agent's desired state, computed from the database each time (so it is the same on every
 * replica and right after a restart of anything): every available environment the agent may
 * serve (its project's, or any for an instance agent, whose agent_labels its labels include)
 * runs the versions of its current deployment, and of its serving deployment while the current
 * one has not rolled out (so a new version starts before the old one stops). An instance's id
 * names the environment, the version and how it is served, so canary steps and policy changes
 * that keep a version keep its process.
 */
export class AssignmentsService {
  private readonly waiters = new Set<() => void>();
  private readonly files = new Map<number, { at: number; value: Promise<{ sha256: string; size: number }> }>();
  private archives: () => VersionArchives;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { projects: ProjectsService; archives: () => VersionArchives; logger: Logger },
  ) {
    this.archives = deps.archives;
  }

  /** Desired state changed somewhere (a deployment, a stop, a label): waiting agents recompute now. */
  notify(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  async compute(agent: AgentRow): Promise<{ assignments: Assignments; instances: AssignedInstance[] }> {
    const labels = agentLabels(agent);
    let query = this.db.selectFrom('environments').selectAll().where('state', '=', 'available').where('target', '=', 'agent').where('current_deployment_id', 'is not', null);
    if (agent.project_id !== null) query = query.where('project_id', '=', agent.project_id);
    const envs = (await query.orderBy('id').execute()).filter((env) => (JSON.parse(env.agent_labels) as string[]).every((l) => labels.includes(l)));
    const deploymentIds = [...new Set(envs.flatMap((e) => [e.current_deployment_id, e.serving_deployment_id].filter((id): id is number => id !== null)))];
    const variants = deploymentIds.length === 0 ? [] : await this.db.selectFrom('deployment_variants').selectAll().where('deployment_id', 'in', deploymentIds).orderBy('position').execute();
    const images = await this.newestImages(variants.map((v) => v.version_id));
    const instances: AssignedInstance[] = [];
    for (const env of envs) {
      const project = await this.deps.projects.getRow(env.project_id);
      const server: ServerSpec = env.command ? { kind: 'command', ...(JSON.parse(env.command) as { argv: string[]; env?: Record<string, string> }) } : { kind: 'mlflow' };
      const serverKey = createHash('sha256').update(JSON.stringify(server)).digest('hex').slice(0, 8);
      const ofDeployment = (id: number | null) => variants.filter((v) => v.deployment_id === id);
      // The current deployment's variants first: its name for a version wins over the serving one's.
      const seen = new Set<number>();
      for (const v of [...ofDeployment(env.current_deployment_id), ...ofDeployment(env.serving_deployment_id)]) {
        if (seen.has(v.version_id)) continue;
        seen.add(v.version_id);
        const facts: VersionFacts = { projectId: env.project_id, modelId: v.model_id, modelName: v.model_name, versionId: v.version_id, version: v.version, semver: v.semver };
        const files = await this.filesOf(facts, { id: project.id, visibility: project.visibility });
        if (!files) continue;
        const instanceId = `e${env.id}-v${v.version_id}-${serverKey}`;
        const image = images.get(v.version_id);
        instances.push({
          version: facts,
          wire: {
            instance_id: instanceId,
            project: { id: project.id, path: project.path },
            environment: { id: env.id, name: env.name },
            deployment_id: v.deployment_id,
            variant: v.name,
            model: { name: v.model_name, version: v.version, semver: v.semver, flavor: server.kind === 'mlflow' ? 'python_function' : null },
            files: { url: instanceArchivePath(instanceId), sha256: files.sha256, size: files.size },
            server,
            ...(image ? { image } : {}),
            health: { path: '/ping', interval_seconds: 5, timeout_seconds: 3 },
          },
        });
      }
    }
    const wire = instances.map((i) => i.wire);
    const revision = createHash('sha256').update(JSON.stringify(wire)).digest('hex').slice(0, 32);
    return { assignments: { revision, instances: wire }, instances };
  }

  /** The newest image recorded on each version (by build time), which agents in container mode run. */
  private async newestImages(versionIds: number[]): Promise<Map<number, { reference: string; digest: string }>> {
    const newest = new Map<number, { reference: string; digest: string }>();
    if (versionIds.length === 0) return newest;
    const rows = await this.db
      .selectFrom('model_version_images')
      .select(['version_id', 'reference', 'digest'])
      .where('version_id', 'in', [...new Set(versionIds)])
      .orderBy('built_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    for (const row of rows) if (!newest.has(row.version_id)) newest.set(row.version_id, { reference: row.reference, digest: row.digest });
    return newest;
  }

  /** The long poll: the assignments once they differ from `revision`, or null when `waitMs` passed without a change. */
  async await(agent: AgentRow, revision: string | undefined, waitMs: number, signal: AbortSignal): Promise<Assignments | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { assignments } = await this.compute(agent);
      if (revision === undefined || assignments.revision !== revision) return assignments;
      if (Date.now() >= deadline || signal.aborted) return null;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
        this.waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** The archive's digest, remembered a little while; a version whose files cannot be archived is left out (and logged). */
  private async filesOf(facts: VersionFacts, project: { id: number; visibility: 'private' | 'internal' | 'public' }): Promise<{ sha256: string; size: number } | null> {
    const cached = this.files.get(facts.versionId);
    if (!cached || Date.now() - cached.at > FILES_TTL_MS) {
      const value = this.archives().locate(serverAccess(project, anonymousCaller()), facts.modelId, facts.version);
      this.files.set(facts.versionId, { at: Date.now(), value });
      value.catch(() => this.files.delete(facts.versionId));
    }
    try {
      return await this.files.get(facts.versionId)!.value;
    } catch (error) {
      this.deps.logger.warn({ err: error, model: facts.modelName, version: facts.version }, 'a deployed version has no archive an agent could fetch');
      return null;
    }
  }
}
