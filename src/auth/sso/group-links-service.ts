import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { recordAudit } from '../../events/audit-log.ts';
import type { ProjectsService } from '../../projects/projects-service.ts';
import { now } from '../../shared/clock.ts';
import { notFound } from '../../shared/errors.ts';
import type { ProjectAccess } from '../policy.ts';
import type { SsoGroupLinksTable } from '../tables.ts';
import type { OidcClients } from './oidc-clients.ts';
import type { GroupLinkSeed } from './sso-config.ts';

export type GroupLinkRow = Selectable<SsoGroupLinksTable>;

/**
 * A project's links from a provider's groups to a role (GitLab's SAML group links, for OpenID
 * Connect groups): members of the group get the role at their next sign-in, and lose it when
 * they leave the group. Kept by the project's maintainers; never the owner role, which a person gives.
 */
export class GroupLinksService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clients: OidcClients,
    private readonly projects: ProjectsService,
  ) {}

  list(access: ProjectAccess): Promise<GroupLinkRow[]> {
    return this.db.selectFrom('sso_group_links').selectAll().where('project_id', '=', access.project.id).orderBy('id').execute();
  }

  /** Adds a link, or changes the role of the same (provider, group). */
  async put(access: ProjectAccess, input: { provider: string; group_name: string; access_level: number }): Promise<GroupLinkRow> {
    this.clients.provider(input.provider);
    return inTransaction(this.db, async (trx) => {
      const row = await trx
        .insertInto('sso_group_links')
        .values({ project_id: access.project.id, provider: input.provider, group_name: input.group_name, access_level: input.access_level, created_at: now() })
        .onConflict((oc) => oc.columns(['project_id', 'provider', 'group_name']).doUpdateSet({ access_level: input.access_level }))
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, access.caller, { action: 'sso_group_link.saved', projectId: access.project.id, targetType: 'sso_group_link', targetId: row.id, details: input });
      return row;
    });
  }

  async remove(access: ProjectAccess, linkId: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await trx.deleteFrom('sso_group_links').where('project_id', '=', access.project.id).where('id', '=', linkId).returningAll().executeTakeFirst();
      if (!row) throw notFound('404 Group link Not Found');
      await recordAudit(trx, access.caller, {
        action: 'sso_group_link.removed',
        projectId: access.project.id,
        targetType: 'sso_group_link',
        targetId: row.id,
        details: { provider: row.provider, group_name: row.group_name },
      });
    });
  }

  /**
   * `MODELYARD_OIDC_GROUP_LINKS` at start: links the API has not made yet are added; one already
   * there keeps the role it has (the API's change wins over the seed). A project the seed names
   * that does not exist is reported, not created.
   */
  async seed(links: readonly GroupLinkSeed[]): Promise<string[]> {
    const problems: string[] = [];
    for (const link of links) {
      const project = await this.projects.find(link.project);
      if (!project) {
        problems.push(`MODELYARD_OIDC_GROUP_LINKS names project "${link.project}", which does not exist`);
        continue;
      }
      await this.db
        .insertInto('sso_group_links')
        .values({ project_id: project.id, provider: link.provider, group_name: link.group, access_level: link.access_level, created_at: now() })
        .onConflict((oc) => oc.columns(['project_id', 'provider', 'group_name']).doNothing())
        .execute();
    }
    return problems;
  }
}
