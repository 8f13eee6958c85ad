import type { Kysely, Selectable } from 'kysely';
import type { Caller } from '../auth/caller.ts';
import { actsAsAdmin } from '../auth/policy.ts';
import { ACCESS_LEVEL } from '../auth/roles.ts';
import { newSecret, secretHint, sha256Hex, TOKEN_PREFIX } from '../auth/secrets.ts';

const TOKEN_PREFIX_REGISTERED = TOKEN_PREFIX.registeredRunner;
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import { now } from '../shared/clock.ts';
import type { GpuInfo, VersionInfo } from '../runner-protocol/requests.ts';
import { AppError, forbidden, invalid, notFound } from '../shared/errors.ts';
import type { CiSettingsService } from './ci-settings-service.ts';
import type { CiRunnersTable } from './tables.ts';
import type { Runner } from './contract.ts';
import { PipelineErrors } from './errors.ts';

export type RunnerRow = Selectable<CiRunnersTable>;

/** A runner that has not asked for work for this long is shown offline. */
export const ONLINE_WINDOW_MS = 2 * 60 * 1000;

export interface RunnerInput {
  runner_type?: 'instance_type' | 'project_type';
  project_id?: number;
  description?: string;
  tag_list?: string[];
  run_untagged?: boolean;
  paused?: boolean;
}

/** What a runner reports about itself each time it asks for work (what the server keeps of GitLab's VersionInfo). */
export interface RunnerInfo {
  name?: string;
  version?: string;
  revision?: string;
  platform?: string;
  architecture?: string;
  executor?: string;
  shell?: string;
  /** GitLab Runner's `config.gpus` setting (`all`, a device list). */
  gpus_setting?: string;
  /** Modelyard's runner: the NVIDIA GPUs it found. */
  gpus?: GpuInfo[];
}

/** Keeps the fields worth showing; a runner may send anything else, which is not stored. */
export function runnerInfoOf(info: VersionInfo | undefined): RunnerInfo | undefined {
  if (!info) return undefined;
  const pick = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const out: RunnerInfo = {
    name: pick(info.name),
    version: pick(info.version),
    revision: pick(info.revision),
    platform: pick(info.platform),
    architecture: pick(info.architecture),
    executor: pick(info.executor),
    shell: pick(info.shell),
    gpus_setting: pick(info.config?.gpus),
  };
  if (info.gpus) out.gpus = info.gpus.map((g) => ({ name: g.name, ...(g.memory_mib !== undefined ? { memory_mib: g.memory_mib } : {}), ...(g.driver !== undefined ? { driver: g.driver } : {}) }));
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as RunnerInfo;
}

/** GitLab's `tag_list`: an array, or one comma-separated string. */
export function tagList(tags: string[] | string | undefined): string[] | undefined {
  return typeof tags === 'string'
    ? tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : tags;
}

const TAG = /^[A-Za-z0-9_.:-]{1,64}$/;

function checkTags(tags: string[] | undefined): string[] | undefined {
  if (tags === undefined) return undefined;
  if (tags.length > 50) throw invalid('tag_list has more than 50 tags');
  const bad = tags.find((t) => !TAG.test(t));
  if (bad !== undefined) throw invalid(`tag '${bad.slice(0, 70)}' may contain only letters, digits, '_', '.', ':' and '-'`);
  return [...new Set(tags)];
}

export function runnerStatus(row: RunnerRow, at = now()): 'online' | 'offline' | 'never_contacted' | 'paused' {
  if (row.paused === 1) return 'paused';
  if (row.contacted_at === null) return 'never_contacted';
  return at - row.contacted_at <= ONLINE_WINDOW_MS ? 'online' : 'offline';
}

/**
 * Runners: created by a person (`POST /user/runners`, GitLab's current workflow) or registered
 * with a registration token (the legacy one); each gets an authentication token, stored hashed.
 * Instance runners are the admins' business; project runners their project maintainers'.
 */
export class RunnersService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly projects: ProjectsService,
    private readonly settings: CiSettingsService,
    private readonly instanceRegistrationToken: string | undefined,
  ) {}

  /** Throws unless the caller may manage this runner (or runners of this kind/project). */
  private async authorizeManage(caller: Caller, runnerType: RunnerRow['runner_type'], projectId: number | null): Promise<void> {
    if (runnerType === 'instance_type') {
      if (!actsAsAdmin(caller)) throw forbidden('403 Forbidden: only administrators manage instance runners');
      return;
    }
    if (projectId === null) throw invalid('project_id is missing for a project_type runner');
    await this.projects.authorize(caller, projectId, 'ci:admin');
  }

  async create(caller: Caller, input: RunnerInput): Promise<{ row: RunnerRow; token: string }> {
    const runnerType = input.runner_type ?? 'instance_type';
    const projectId = runnerType === 'project_type' ? (input.project_id ?? null) : null;
    if (runnerType === 'instance_type' && input.project_id !== undefined) throw invalid('project_id is only for project_type runners');
    await this.authorizeManage(caller, runnerType, projectId);
    return this.insert({ runnerType, projectId, input, creatorId: caller.user?.id ?? null, via: 'created' }, caller);
  }

  /** Legacy registration: the instance token (MODELYARD_RUNNER_REGISTRATION_TOKEN) or a project's. */
  async register(registrationToken: string, input: RunnerInput & { info?: RunnerInfo }): Promise<{ row: RunnerRow; token: string }> {
    let projectId: number | null = null;
    if (!(this.instanceRegistrationToken !== undefined && registrationToken === this.instanceRegistrationToken)) {
      projectId = (await this.settings.projectOfRunnersToken(registrationToken)) ?? null;
      if (projectId === null) throw PipelineErrors.INVALID_REGISTRATION_TOKEN();
    }
    return this.insert({ runnerType: projectId === null ? 'instance_type' : 'project_type', projectId, input, creatorId: null, via: 'registered' }, null);
  }

  private async insert(
    what: { runnerType: RunnerRow['runner_type']; projectId: number | null; input: RunnerInput & { info?: RunnerInfo }; creatorId: number | null; via: string },
    caller: Caller | null,
  ): Promise<{ row: RunnerRow; token: string }> {
    const description = what.input.description ?? '';
    if (description.length > 255) throw invalid('description is longer than 255 characters');
    const tags = checkTags(what.input.tag_list) ?? [];
    // GitLab: `glrt-` for runners a person created, `glrtr-` for those registered with a registration token.
    const token = newSecret(what.via === 'created' ? 'runner' : 'registeredRunner');
    const row = await this.db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto('ci_runners')
        .values({
          token_hash: sha256Hex(token),
          token_hint: secretHint(token),
          description,
          runner_type: what.runnerType,
          project_id: what.projectId,
          tags: JSON.stringify(tags),
          run_untagged: (what.input.run_untagged ?? tags.length === 0) ? 1 : 0,
          paused: what.input.paused ? 1 : 0,
          info: JSON.stringify(what.input.info ?? {}),
          creator_id: what.creatorId,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(
        trx,
        caller,
        { type: `ci.runner.${what.via}`, projectId: what.projectId, payload: { runner_id: created.id, runner_type: what.runnerType } },
        { action: `ci.runner.${what.via}`, targetType: 'runner', targetId: created.id },
      );
      return created;
    });
    return { row, token };
  }

  /** The runner a token belongs to (any prefix it was issued with); GitLab answers 403 to an unknown runner token. */
  async authenticate(token: string | undefined): Promise<RunnerRow> {
    const row = token ? await this.db.selectFrom('ci_runners').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst() : undefined;
    if (!row) throw PipelineErrors.INVALID_RUNNER_TOKEN();
    return row;
  }

  /** GitLab's `POST /runners/reset_authentication_token`: a new token replaces the one presented. */
  async resetToken(token: string): Promise<{ row: RunnerRow; token: string }> {
    const runner = await this.authenticate(token);
    const fresh = newSecret(token.startsWith(TOKEN_PREFIX_REGISTERED) ? 'registeredRunner' : 'runner');
    const row = await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('ci_runners')
        .set({ token_hash: sha256Hex(fresh), token_hint: secretHint(fresh) })
        .where('id', '=', runner.id)
        .where('token_hash', '=', runner.token_hash)
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw PipelineErrors.INVALID_RUNNER_TOKEN();
      await recordChange(
        trx,
        null,
        { type: 'ci.runner.token_reset', projectId: runner.project_id, payload: { runner_id: runner.id } },
        { action: 'ci.runner.token_reset', targetType: 'runner', targetId: runner.id },
      );
      return updated;
    });
    return { row, token: fresh };
  }

  async touch(runner: RunnerRow, info: RunnerInfo | undefined, ip: string | null): Promise<void> {
    await this.db
      .updateTable('ci_runners')
      .set({ contacted_at: now(), ip, ...(info ? { info: JSON.stringify(info) } : {}) })
      .where('id', '=', runner.id)
      .execute();
  }

  async unregister(token: string): Promise<void> {
    const runner = await this.authenticate(token);
    await this.db.deleteFrom('ci_runners').where('id', '=', runner.id).execute();
  }

  /** Admins see every runner; others the runners of projects they maintain. */
  async list(caller: Caller, options: { offset: number; limit: number; projectId?: number }): Promise<{ total: number; items: RunnerRow[] }> {
    let query = this.db.selectFrom('ci_runners');
    if (options.projectId !== undefined) {
      query = query.where((eb) => eb.or([eb('project_id', '=', options.projectId!), eb('runner_type', '=', 'instance_type')]));
    } else if (!actsAsAdmin(caller)) {
      const maintained = caller.user ? await this.projects.projectIdsWithLevel(caller.user.id, ACCESS_LEVEL.maintainer) : [];
      query = query.where('project_id', 'in', maintained.length > 0 ? maintained : [-1]);
    }
    const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const items = await query.selectAll().orderBy('id').offset(options.offset).limit(options.limit).execute();
    return { total, items };
  }

  /** For showing which runner ran a job; not an authorization. */
  byId(runnerId: number): Promise<RunnerRow | undefined> {
    return this.db.selectFrom('ci_runners').selectAll().where('id', '=', runnerId).executeTakeFirst();
  }

  async get(caller: Caller, runnerId: number): Promise<RunnerRow> {
    const row = await this.db.selectFrom('ci_runners').selectAll().where('id', '=', runnerId).executeTakeFirst();
    if (!row) throw notFound('404 Runner');
    try {
      await this.authorizeManage(caller, row.runner_type, row.project_id);
    } catch (error) {
      if (error instanceof AppError && (error.kind === 'forbidden' || error.kind === 'not_found')) throw notFound('404 Runner');
      throw error;
    }
    return row;
  }

  async update(caller: Caller, runnerId: number, input: RunnerInput): Promise<RunnerRow> {
    const row = await this.get(caller, runnerId);
    const tags = checkTags(input.tag_list);
    if (input.description !== undefined && input.description.length > 255) throw invalid('description is longer than 255 characters');
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('ci_runners')
        .set({
          description: input.description ?? row.description,
          tags: tags ? JSON.stringify(tags) : row.tags,
          run_untagged: input.run_untagged === undefined ? row.run_untagged : input.run_untagged ? 1 : 0,
          paused: input.paused === undefined ? row.paused : input.paused ? 1 : 0,
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(
        trx,
        caller,
        { type: 'ci.runner.updated', projectId: row.project_id, payload: { runner_id: row.id } },
        { action: 'ci.runner.updated', targetType: 'runner', targetId: row.id },
      );
      return updated;
    });
  }

  async delete(caller: Caller, runnerId: number): Promise<void> {
    const row = await this.get(caller, runnerId);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ci_runners').where('id', '=', row.id).execute();
      await recordChange(
        trx,
        caller,
        { type: 'ci.runner.deleted', projectId: row.project_id, payload: { runner_id: row.id } },
        { action: 'ci.runner.deleted', targetType: 'runner', targetId: row.id },
      );
    });
  }
}

export function presentRunner(row: RunnerRow): Runner {
  const info = JSON.parse(row.info) as RunnerInfo;
  return {
    id: row.id,
    description: row.description,
    runner_type: row.runner_type,
    project_id: row.project_id,
    tag_list: JSON.parse(row.tags) as string[],
    run_untagged: row.run_untagged === 1,
    paused: row.paused === 1,
    active: row.paused === 0,
    is_shared: row.runner_type === 'instance_type',
    status: runnerStatus(row),
    online: runnerStatus(row) === 'online',
    ip_address: row.ip,
    contacted_at: row.contacted_at === null ? null : new Date(row.contacted_at).toISOString(),
    created_at: new Date(row.created_at).toISOString(),
    version: info.version ?? null,
    platform: info.platform ?? null,
    architecture: info.architecture ?? null,
    executor: info.executor ?? null,
    gpus: info.gpus ?? [],
  };
}
