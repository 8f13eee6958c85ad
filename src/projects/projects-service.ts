import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import { actsAsAdmin, authorizeInstance, authorizeProject, type ProjectAccess } from '../auth/policy.ts';
import type { ProjectScopedAbility } from '../auth/abilities.ts';
import { abilitiesOf } from '../auth/custom-roles/custom-abilities.ts';
import type { Caller } from '../auth/caller.ts';
import { ACCESS_LEVEL } from '../auth/roles.ts';
import type { Schema } from '../db/schema.ts';
import { containsText } from '../db/like.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid, isAppError } from '../shared/errors.ts';
import { isUniqueViolation } from '../shared/unique-violation.ts';
import { idFromDigits } from '../shared/integer-ranges.ts';
import type { ProjectOrdering } from './contract.ts';
import { projectNotFound, ProjectErrors } from './errors.ts';
import type { ProjectsTable } from './tables.ts';

export type ProjectRow = Selectable<ProjectsTable>;
export type Visibility = ProjectRow['visibility'];
export const VISIBILITIES: readonly Visibility[] = ['private', 'internal', 'public'];

/** The filter of a project named by id or path; undefined when the key can name none. */
function namedBy(idOrPath: string | number): ((eb: ExpressionBuilder<Schema, 'projects'>) => Expression<SqlBool>) | undefined {
  const key = String(idOrPath);
  if (!/^\d+$/.test(key)) return (eb) => eb(eb.fn('lower', ['projects.path']), '=', key.toLowerCase());
  // Digits are an id (paths cannot be only digits); one past the id range names no project.
  const id = idFromDigits(key);
  return id === undefined ? undefined : (eb) => eb('projects.id', '=', id);
}

const PATH_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
/**
 * A project's `web_url` is `/<path>`, GitLab's form; these first segments are the server's own
 * addresses (its API, MLflow's root routes, the web UI's pages), where such a project's page
 * could not be.
 */
const RESERVED_PATHS = new Set(['-', 'admin', 'ajax-api', 'api', 'assets', 'get-artifact', 'health', 'index.html', 'model-versions', 'projects', 'runners', 'user', 'users', 'version']);

export interface ProjectInput {
  name?: string;
  path?: string;
  description?: string;
  visibility?: Visibility;
}

/** GitLab derives a path from the name when none is given. */
function pathFromName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 255);
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 255) throw invalid('name must be 1 to 255 characters');
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw invalid('name may not contain control characters');
  return trimmed;
}

function validatePath(path: string): string {
  if (!PATH_PATTERN.test(path) || /\.(git|atom)$/.test(path) || path.endsWith('.') || path.endsWith('-')) {
    throw invalid('path can contain only letters, digits, "_", "-" and ".", cannot start with "-" or "." and cannot end in "-", "." or ".git"');
  }
  if (/^\d+$/.test(path)) throw invalid('path cannot be only digits, which would read as a project id');
  if (RESERVED_PATHS.has(path.toLowerCase())) throw invalid(`path "${path}" is reserved: its address is one of the server's own pages`);
  return path;
}

function validateDescription(description: string): string {
  if (description.length > 20_000) throw invalid('description is too long (maximum is 20000 characters)');
  return description;
}

/** Work another domain must do in the transaction that deletes a project (data without foreign keys, files). */
export type ProjectDeletionHook = (db: Kysely<Schema>, projectId: number) => Promise<void>;

export class ProjectsService {
  private readonly deletionHooks: ProjectDeletionHook[] = [];

  onDelete(hook: ProjectDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * A project by id or path without any caller: only for routes that carry their own credential
   * (trigger tokens, push webhooks), which must still answer 404 when it does not match.
   */
  find(idOrPath: string | number): Promise<ProjectRow | undefined> {
    return this.findRow(idOrPath);
  }

  private async findRow(idOrPath: string | number, db: Kysely<Schema> = this.db): Promise<ProjectRow | undefined> {
    const named = namedBy(idOrPath);
    return named && db.selectFrom('projects').selectAll().where(named).executeTakeFirst();
  }

  /**
   * A project by id or path with the user's membership in it, in one statement: every request to
   * a project's routes asks both, and a second round trip to the database was a sixth of the
   * statements of a metric batch. A custom role counts only while its base level is the member's
   * level (a level changed by other means leaves it inert).
   */
  private async findRowWithMembership(idOrPath: string | number, userId: number | undefined) {
    const named = namedBy(idOrPath);
    if (!named) return undefined;
    const row = await this.db
      .selectFrom('projects')
      .leftJoin('members', (join) => join.onRef('members.project_id', '=', 'projects.id').on('members.user_id', '=', userId ?? -1))
      .leftJoin('member_roles', 'member_roles.id', 'members.member_role_id')
      .selectAll('projects')
      .select(['members.access_level as member_access_level', 'member_roles.base_access_level as role_base_access_level', 'member_roles.abilities as role_abilities'])
      .where(named)
      .executeTakeFirst();
    if (!row) return undefined;
    const { member_access_level: level, role_base_access_level: roleLevel, role_abilities: abilities, ...project } = row;
    const extras = abilities !== null && roleLevel === level ? abilitiesOf({ abilities }) : [];
    return { project, level, extras };
  }

  /**
   * Finds a project by id or path and checks an ability on it, in one step, so that a missing
   * project and an invisible one answer the same.
   */
  /** Ids of the projects where a user holds at least the given access level. */
  async projectIdsWithLevel(userId: number, minLevel: number): Promise<number[]> {
    const rows = await this.db.selectFrom('members').select('project_id').where('user_id', '=', userId).where('access_level', '>=', minLevel).execute();
    return rows.map((r) => r.project_id);
  }

  async authorize(caller: Caller, idOrPath: string | number, ability: ProjectScopedAbility): Promise<{ access: ProjectAccess; project: ProjectRow }> {
    const found = await this.findRowWithMembership(idOrPath, caller.user?.id);
    if (!found) {
      // Same outcome as an invisible project, so ids and paths cannot be probed.
      authorizeProject(caller, ability, { id: -1, visibility: 'private' }, null);
      throw projectNotFound();
    }
    const { project, level, extras } = found;
    return { access: authorizeProject(caller, ability, project, level, extras), project };
  }

  async getRow(projectId: number): Promise<ProjectRow> {
    const row = await this.findRow(projectId);
    if (!row) throw projectNotFound();
    return row;
  }

  async create(caller: Caller, input: ProjectInput, db: Kysely<Schema> = this.db): Promise<ProjectRow> {
    // Decided before anything is written: a credential limited to one project (a bot's, a job's) creates none.
    authorizeInstance(caller, 'projects:create');
    if (!caller.user) throw invalid('a project needs an owner');
    const ownerId = caller.user.id;
    if (input.name === undefined && input.path === undefined) throw invalid('name or path is missing');
    const name = validateName(input.name ?? input.path ?? '');
    const path = validatePath(input.path ?? pathFromName(name));
    const visibility = input.visibility ?? 'private';
    const description = validateDescription(input.description ?? '');
    return await db.transaction().execute(async (trx) => {
      if (await this.findRow(path, trx)) throw ProjectErrors.PROJECT_PATH_TAKEN({ path });
      const at = now();
      const row = await trx.insertInto('projects').values({ name, path, description, visibility, creator_id: ownerId, created_at: at, updated_at: at }).returningAll().executeTakeFirstOrThrow();
      await trx.insertInto('members').values({ project_id: row.id, user_id: ownerId, access_level: ACCESS_LEVEL.owner, created_at: at }).execute();
      await recordChange(
        trx,
        caller,
        { type: 'project.created', projectId: row.id, payload: { id: row.id, path, visibility } },
        { action: 'project.created', targetType: 'project', targetId: row.id, details: { path, visibility } },
      );
      return row;
    });
  }

  /** `POST /projects`: the caller creates a project and, as its owner, gets access to it. */
  async createOwned(caller: Caller, input: ProjectInput): Promise<{ project: ProjectRow; access: ProjectAccess }> {
    const project = await this.create(caller, input);
    const { access } = await this.authorize(caller, project.id, 'project:read');
    return { project, access };
  }

  async listVisible(caller: Caller, options: { search?: string; visibility?: Visibility; membership?: boolean; offset: number; limit: number; orderBy: ProjectOrdering; sort: 'asc' | 'desc' }) {
    const userId = caller.user?.id ?? -1;
    const seesAll = actsAsAdmin(caller) && !options.membership;
    let base = this.db.selectFrom('projects');
    if (caller.projectLimit !== null) base = base.where('projects.id', '=', caller.projectLimit);
    if (!seesAll) {
      base = base.where((eb) => {
        const isMember = eb.exists(eb.selectFrom('members').select('members.user_id').whereRef('members.project_id', '=', 'projects.id').where('members.user_id', '=', userId));
        if (options.membership) return isMember;
        const visible = [isMember, eb('projects.visibility', '=', 'public')];
        if (caller.user && !caller.user.isBot) visible.push(eb('projects.visibility', '=', 'internal'));
        return eb.or(visible);
      });
    }
    if (options.visibility) base = base.where('projects.visibility', '=', options.visibility);
    if (options.search) {
      const search = options.search;
      base = base.where((eb) => eb.or([containsText(eb.ref('projects.name'), search), containsText(eb.ref('projects.path'), search)]));
    }
    const column = options.orderBy === 'last_activity_at' ? 'updated_at' : options.orderBy;
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll('projects').orderBy(`projects.${column}`, options.sort).orderBy('projects.id', options.sort).offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: rows };
  }

  async update(access: ProjectAccess, input: ProjectInput): Promise<ProjectRow> {
    return await this.db.transaction().execute(async (trx) => {
      const current = await this.findRow(access.project.id, trx);
      if (!current) throw projectNotFound();
      const changes: Partial<ProjectRow> = {};
      if (input.name !== undefined) changes.name = validateName(input.name);
      if (input.path !== undefined && input.path !== current.path) {
        changes.path = validatePath(input.path);
        const clash = await this.findRow(changes.path, trx);
        if (clash && clash.id !== current.id) throw ProjectErrors.PROJECT_PATH_TAKEN({ path: changes.path });
      }
      if (input.description !== undefined) changes.description = validateDescription(input.description);
      if (input.visibility !== undefined) changes.visibility = input.visibility;
      const updated = await trx
        .updateTable('projects')
        .set({ ...changes, updated_at: now() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const changed = Object.keys(changes).filter((key) => changes[key as keyof ProjectRow] !== current[key as keyof ProjectRow]);
      if (changed.length > 0) {
        const visibilityChanged = changes.visibility !== undefined && changes.visibility !== current.visibility;
        await recordChange(
          trx,
          access.caller,
          { type: 'project.updated', projectId: current.id, payload: { id: current.id, changed } },
          {
            action: visibilityChanged ? 'project.visibility_changed' : 'project.updated',
            targetType: 'project',
            targetId: current.id,
            details: visibilityChanged ? { from: current.visibility, to: changes.visibility, changed } : { changed },
          },
        );
      }
      return updated;
    });
  }

  async delete(access: ProjectAccess): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const current = await this.findRow(access.project.id, trx);
      if (!current) throw projectNotFound();
      for (const hook of this.deletionHooks) await hook(trx, current.id);
      await trx.deleteFrom('projects').where('id', '=', current.id).execute();
      await recordChange(
        trx,
        access.caller,
        { type: 'project.deleted', projectId: current.id, payload: { id: current.id, path: current.path } },
        { action: 'project.deleted', targetType: 'project', targetId: current.id, details: { path: current.path } },
      );
    });
  }

  /** The instance's default project, which the plain MLflow URI serves; made at the first start. */
  async ensureDefault(path: string, owner: Caller): Promise<ProjectRow> {
    const existing = await this.findRow(path);
    if (existing) return existing;
    try {
      return await this.create(owner, { name: path, path, visibility: 'private', description: 'The default project, served at the plain MLflow tracking URI.' });
    } catch (error) {
      // Made by another process between the look-up and the insert: use that one.
      const madeMeanwhile = isAppError(error) || isUniqueViolation(error) ? await this.findRow(path) : undefined;
      if (madeMeanwhile) return madeMeanwhile;
      throw error;
    }
  }
}
